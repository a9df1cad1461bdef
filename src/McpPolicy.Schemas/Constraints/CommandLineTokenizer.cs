namespace McpPolicy.Schemas.Constraints;

/// <summary>
/// Splits a command line into arguments the way a POSIX shell does after it has found no operators: blanks separate
/// words; single quotes keep everything literally; inside double quotes a backslash escapes only <c>$ ` " \</c>; outside
/// quotes a backslash escapes the next character; quotes are removed. It performs no expansions.
/// </summary>
internal static class CommandLineTokenizer
{
    /// <summary>Characters a shell treats specially when they are not quoted: filename globs, braces, tilde, comment, history.</summary>
    private const string UnquotedSpecials = "*?[]{}~#!^";

    /// <summary>Splits <paramref name="text"/>; false when a quote is not closed or the text ends in a backslash.</summary>
    /// <param name="text">The command line.</param>
    /// <param name="tokens">The arguments, quotes removed.</param>
    /// <param name="unquotedSpecial">True when a glob, brace, tilde, comment or history character appears outside quotes.</param>
    public static bool TryTokenize(string text, out List<string> tokens, out bool unquotedSpecial)
    {
        tokens = [];
        unquotedSpecial = false;
        var current = new System.Text.StringBuilder();
        var inToken = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case ' ' or '\t' or '\n':
                    if (inToken)
                    {
                        tokens.Add(current.ToString());
                        current.Clear();
                        inToken = false;
                    }

                    break;
                case '\'':
                    {
                        var close = text.IndexOf('\'', i + 1);
                        if (close < 0)
                        {
                            return false;
                        }

                        current.Append(text, i + 1, close - i - 1);
                        i = close;
                        inToken = true;
                        break;
                    }

                case '"':
                    {
                        var closed = false;
                        for (i++; i < text.Length; i++)
                        {
                            var d = text[i];
                            if (d == '"')
                            {
                                closed = true;
                                break;
                            }

                            if (d == '\\' && i + 1 < text.Length && text[i + 1] is '$' or '`' or '"' or '\\')
                            {
                                current.Append(text[++i]);
                            }
                            else
                            {
                                current.Append(d);
                            }
                        }

                        if (!closed)
                        {
                            return false;
                        }

                        inToken = true;
                        break;
                    }

                case '\\':
                    if (i + 1 >= text.Length)
                    {
                        return false;
                    }

                    current.Append(text[++i]);
                    inToken = true;
                    break;
                default:
                    unquotedSpecial |= UnquotedSpecials.Contains(c, StringComparison.Ordinal);
                    current.Append(c);
                    inToken = true;
                    break;
            }
        }

        if (inToken)
        {
            tokens.Add(current.ToString());
        }

        return true;
    }
}
