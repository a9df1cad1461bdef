using System.Text;

namespace McpPolicy.Chains.Inspection;

/// <summary>Marks text as untrusted: datamarking and delimiters that content cannot forge.</summary>
internal static class ContentMarking
{
    /// <summary>The word inside both delimiters.</summary>
    public const string Keyword = "untrusted-content";

    /// <summary>The character delimiters start with; inside content it is replaced by <see cref="Defused"/> before a delimiter.</summary>
    public const char Open = '\u00AB';

    /// <summary>The character a delimiter-like <see cref="Open"/> in content becomes (U+2039, a single angle quote).</summary>
    public const char Defused = '\u2039';

    /// <summary>The closing delimiter.</summary>
    public const string End = "\u00AB/" + Keyword + "\u00BB";

    /// <summary>Replaces every space with <paramref name="marker"/>; the same instance when there is no space.</summary>
    public static string Datamark(string text, char marker) => text.Contains(' ', StringComparison.Ordinal) ? text.Replace(' ', marker) : text;

    /// <summary>Wraps <paramref name="text"/> in delimiters naming <paramref name="source"/>, after defusing any delimiter inside it.</summary>
    public static string Delimit(string text, string source)
    {
        var builder = new StringBuilder(text.Length + source.Length + 64);
        builder.Append(Open).Append(Keyword).Append(" source=\"").Append(SafeSource(source)).Append("\"\u00BB\n");
        AppendDefused(builder, text);
        builder.Append('\n').Append(End);
        return builder.ToString();
    }

    /// <summary>
    /// Appends <paramref name="text"/> with every <see cref="Open"/> that starts <c>untrusted-content</c> or <c>/untrusted-content</c>
    /// (in any case) replaced by <see cref="Defused"/>, so neither delimiter can appear inside the block.
    /// </summary>
    internal static void AppendDefused(StringBuilder builder, string text)
    {
        var span = text.AsSpan();
        var flushed = 0;
        var i = span.IndexOf(Open);
        while (i >= 0)
        {
            var rest = span[(i + 1)..];
            if (rest.StartsWith('/'))
            {
                rest = rest[1..];
            }

            if (rest.StartsWith(Keyword, StringComparison.OrdinalIgnoreCase))
            {
                builder.Append(span[flushed..i]).Append(Defused);
                flushed = i + 1;
            }

            var next = span[(i + 1)..].IndexOf(Open);
            i = next < 0 ? -1 : i + 1 + next;
        }

        builder.Append(span[flushed..]);
    }

    /// <summary>The tool's name as it appears in the opening delimiter: characters other than letters, digits and <c>._/-</c> become '_'.</summary>
    internal static string SafeSource(string source)
    {
        var chars = source.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (!char.IsAsciiLetterOrDigit(chars[i]) && chars[i] is not ('.' or '_' or '/' or '-'))
            {
                chars[i] = '_';
            }
        }

        return new string(chars);
    }
}
