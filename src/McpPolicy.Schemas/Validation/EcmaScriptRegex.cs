using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace McpPolicy.Schemas.Validation;

/// <summary>
/// Translates an ECMAScript (ECMA-262, unicode mode) regular expression into an equivalent .NET pattern that the
/// linear-time <c>RegexOptions.NonBacktracking</c> engine accepts whenever the source has no lookaround or backreference.
/// </summary>
/// <remarks>
/// What the translation does, so that .NET matches what ECMAScript matches:
/// <list type="bullet">
/// <item><c>\d</c>, <c>\w</c> are ASCII (.NET's are Unicode); <c>\s</c> is ECMAScript's white-space and line-terminator set;</item>
/// <item><c>.</c> matches any code point except line terminators (one astral character is one match, as with the <c>u</c> flag);</item>
/// <item><c>$</c> matches only at the very end (.NET's also matches before a final newline);</item>
/// <item>character classes are computed as code-point sets, so astral ranges and negation work on code points;</item>
/// <item><c>\p{…}</c> supports General_Category values (short and long names), <c>Any</c>, <c>ASCII</c> and <c>ASCII_Hex_Digit</c>.</item>
/// </list>
/// Known differences: <c>\b</c>/<c>\B</c> use .NET's Unicode word characters; script properties (<c>\p{Script=…}</c>) and
/// other binary properties are rejected as unsupported; lone surrogates in the input never match <c>.</c> or classes;
/// backreferences to groups that did not participate fail in .NET but match empty in ECMAScript. Identity escapes of ASCII
/// punctuation (such as <c>\-</c> or <c>\@</c>) are accepted as literals (ECMAScript's non-unicode behaviour); other
/// unknown escapes (such as Python's <c>\Z</c>) are errors rather than guesses.
/// </remarks>
internal static class EcmaScriptRegex
{
    private const int MaxCodePoint = 0x10FFFF;
    private const string Dot = @"(?:[\uD800-\uDBFF][\uDC00-\uDFFF]|[^\n\r\u2028\u2029\uD800-\uDFFF])";

    private static readonly ConcurrentDictionary<string, CodePointSet> s_properties = new(StringComparer.Ordinal);

    private static readonly Dictionary<string, string> s_categoryAliases = new(StringComparer.Ordinal)
    {
        ["Letter"] = "L", ["Cased_Letter"] = "LC", ["Uppercase_Letter"] = "Lu", ["Lowercase_Letter"] = "Ll", ["Titlecase_Letter"] = "Lt",
        ["Modifier_Letter"] = "Lm", ["Other_Letter"] = "Lo", ["Mark"] = "M", ["Combining_Mark"] = "M", ["Nonspacing_Mark"] = "Mn",
        ["Spacing_Mark"] = "Mc", ["Enclosing_Mark"] = "Me", ["Number"] = "N", ["Decimal_Number"] = "Nd", ["digit"] = "Nd",
        ["Letter_Number"] = "Nl", ["Other_Number"] = "No", ["Punctuation"] = "P", ["punct"] = "P", ["Connector_Punctuation"] = "Pc",
        ["Dash_Punctuation"] = "Pd", ["Open_Punctuation"] = "Ps", ["Close_Punctuation"] = "Pe", ["Initial_Punctuation"] = "Pi",
        ["Final_Punctuation"] = "Pf", ["Other_Punctuation"] = "Po", ["Symbol"] = "S", ["Math_Symbol"] = "Sm", ["Currency_Symbol"] = "Sc",
        ["Modifier_Symbol"] = "Sk", ["Other_Symbol"] = "So", ["Separator"] = "Z", ["Space_Separator"] = "Zs", ["Line_Separator"] = "Zl",
        ["Paragraph_Separator"] = "Zp", ["Other"] = "C", ["Control"] = "Cc", ["cntrl"] = "Cc", ["Format"] = "Cf", ["Surrogate"] = "Cs",
        ["Private_Use"] = "Co", ["Unassigned"] = "Cn",
    };

    /// <summary>Translates <paramref name="pattern"/>.</summary>
    /// <param name="pattern">The ECMAScript pattern.</param>
    /// <param name="needsBacktracking">Whether the pattern uses lookaround or backreferences (which NonBacktracking lacks).</param>
    /// <returns>The .NET pattern.</returns>
    /// <exception cref="FormatException">The pattern is not a valid ECMAScript regular expression, or uses an unsupported feature.</exception>
    public static string Translate(string pattern, out bool needsBacktracking)
    {
        var output = new StringBuilder(pattern.Length + 16);
        needsBacktracking = false;
        int i = 0;
        int groups = 0;
        while (i < pattern.Length)
        {
            char c = pattern[i];
            switch (c)
            {
                case '\\':
                    i = TranslateEscape(pattern, i, output, ref needsBacktracking);
                    break;
                case '[':
                    i = TranslateClass(pattern, i, output);
                    break;
                case '.':
                    output.Append(Dot);
                    i++;
                    break;
                case '$':
                    output.Append(@"\z");
                    i++;
                    break;
                case '(':
                    i = TranslateGroup(pattern, i, output, ref needsBacktracking);
                    groups++;
                    break;
                case ')':
                    if (--groups < 0)
                    {
                        throw new FormatException("unmatched ')'");
                    }

                    output.Append(c);
                    i++;
                    break;
                case '{':
                    int close = QuantifierEnd(pattern, i);
                    if (close > 0)
                    {
                        output.Append(pattern, i, close - i + 1);
                        i = close + 1;
                    }
                    else
                    {
                        output.Append(@"\{");
                        i++;
                    }

                    break;
                case '}' or ']':
                    output.Append('\\').Append(c);
                    i++;
                    break;
                case '|' or '*' or '+' or '?' or '^':
                    output.Append(c);
                    i++;
                    break;
                default:
                    int codePoint = ConvertToUtf32OrSelf(pattern, i, out int width);
                    AppendLiteral(output, codePoint, inClass: false);
                    i += width;
                    break;
            }
        }

        if (groups != 0)
        {
            throw new FormatException("unterminated group");
        }

        return output.ToString();
    }

    private static int TranslateGroup(string pattern, int i, StringBuilder output, ref bool needsBacktracking)
    {
        if (i + 1 >= pattern.Length || pattern[i + 1] != '?')
        {
            output.Append('(');
            return i + 1;
        }

        string rest = pattern[(i + 2)..];
        if (rest.StartsWith(':'))
        {
            output.Append("(?:");
            return i + 3;
        }

        if (rest.StartsWith('=') || rest.StartsWith('!'))
        {
            needsBacktracking = true;
            output.Append(pattern, i, 3);
            return i + 3;
        }

        if (rest.StartsWith("<=", StringComparison.Ordinal) || rest.StartsWith("<!", StringComparison.Ordinal))
        {
            needsBacktracking = true;
            output.Append(pattern, i, 4);
            return i + 4;
        }

        if (rest.StartsWith('<'))
        {
            int end = pattern.IndexOf('>', i + 3);
            if (end < 0 || end == i + 3)
            {
                throw new FormatException("invalid group name");
            }

            string name = pattern[(i + 3)..end];
            if (!name.All(ch => char.IsLetterOrDigit(ch) || ch is '_' or '$') || char.IsAsciiDigit(name[0]))
            {
                throw new FormatException("invalid group name '" + name + "'");
            }

            output.Append("(?<").Append(name.Replace('$', '_')).Append('>');
            return end + 1;
        }

        throw new FormatException("unsupported group syntax '(?" + (rest.Length > 0 ? rest[0] : ' ') + "' (not ECMAScript)");
    }

    private static int TranslateEscape(string pattern, int i, StringBuilder output, ref bool needsBacktracking)
    {
        if (i + 1 >= pattern.Length)
        {
            throw new FormatException("a pattern cannot end with a backslash");
        }

        char e = pattern[i + 1];
        switch (e)
        {
            case 'd' or 'D' or 'w' or 'W' or 's' or 'S':
                AppendSet(output, Shorthand(e));
                return i + 2;
            case 'b' or 'B':
                output.Append('\\').Append(e);
                return i + 2;
            case 'p' or 'P':
            {
                int end = ParseProperty(pattern, i, out var set);
                AppendSet(output, e == 'P' ? set.Complement() : set);
                return end;
            }

            case >= '1' and <= '9':
            {
                needsBacktracking = true;
                int end = i + 1;
                while (end < pattern.Length && char.IsAsciiDigit(pattern[end]))
                {
                    end++;
                }

                output.Append('\\').Append(pattern, i + 1, end - i - 1);
                return end;
            }

            case 'k':
            {
                int end = pattern.IndexOf('>', i);
                if (i + 2 >= pattern.Length || pattern[i + 2] != '<' || end < 0)
                {
                    throw new FormatException("invalid named backreference");
                }

                needsBacktracking = true;
                output.Append(@"\k<").Append(pattern[(i + 3)..end].Replace('$', '_')).Append('>');
                return end + 1;
            }

            default:
            {
                int end = ParseCharacterEscape(pattern, i, inClass: false, out int codePoint);
                AppendLiteral(output, codePoint, inClass: false);
                return end;
            }
        }
    }

    /// <summary>Parses an escape that denotes one code point; returns the index after it.</summary>
    private static int ParseCharacterEscape(string pattern, int i, bool inClass, out int codePoint)
    {
        char e = pattern[i + 1];
        switch (e)
        {
            case 't': codePoint = '\t'; return i + 2;
            case 'n': codePoint = '\n'; return i + 2;
            case 'r': codePoint = '\r'; return i + 2;
            case 'v': codePoint = '\v'; return i + 2;
            case 'f': codePoint = '\f'; return i + 2;
            case 'b' when inClass: codePoint = '\b'; return i + 2;
            case '0' when i + 2 >= pattern.Length || !char.IsAsciiDigit(pattern[i + 2]): codePoint = 0; return i + 2;
            case 'c' when i + 2 < pattern.Length && char.IsAsciiLetter(pattern[i + 2]):
                codePoint = pattern[i + 2] % 32;
                return i + 3;
            case 'x' when i + 3 < pattern.Length && IsHex(pattern, i + 2, 2):
                codePoint = int.Parse(pattern.AsSpan(i + 2, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
                return i + 4;
            case 'u':
                return ParseUnicodeEscape(pattern, i, out codePoint);
            case '-' when inClass:
                codePoint = '-';
                return i + 2;
            default:
                if (e < 128 && !char.IsAsciiLetterOrDigit(e) && e != '_')
                {
                    // Syntax characters and other ASCII punctuation escape to themselves.
                    codePoint = e;
                    return i + 2;
                }

                throw new FormatException("unsupported escape '\\" + e + "' (not ECMAScript)");
        }
    }

    private static int ParseUnicodeEscape(string pattern, int i, out int codePoint)
    {
        if (i + 2 < pattern.Length && pattern[i + 2] == '{')
        {
            int end = pattern.IndexOf('}', i + 3);
            if (end < 0 || end == i + 3 || !IsHex(pattern, i + 3, end - i - 3)
                || !int.TryParse(pattern.AsSpan(i + 3, end - i - 3), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out codePoint)
                || codePoint > MaxCodePoint)
            {
                throw new FormatException("invalid \\u{…} escape");
            }

            return end + 1;
        }

        if (!IsHex(pattern, i + 2, 4))
        {
            throw new FormatException("invalid \\u escape");
        }

        codePoint = int.Parse(pattern.AsSpan(i + 2, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        int next = i + 6;
        if (codePoint is >= 0xD800 and <= 0xDBFF && next + 1 < pattern.Length && pattern[next] == '\\' && pattern[next + 1] == 'u'
            && IsHex(pattern, next + 2, 4))
        {
            int low = int.Parse(pattern.AsSpan(next + 2, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
            if (low is >= 0xDC00 and <= 0xDFFF)
            {
                codePoint = char.ConvertToUtf32((char)codePoint, (char)low);
                return next + 6;
            }
        }

        return next;
    }

    private static int TranslateClass(string pattern, int start, StringBuilder output)
    {
        int i = start + 1;
        bool negated = i < pattern.Length && pattern[i] == '^';
        if (negated)
        {
            i++;
        }

        var set = new CodePointSet();
        while (true)
        {
            if (i >= pattern.Length)
            {
                throw new FormatException("unterminated character class");
            }

            if (pattern[i] == ']')
            {
                i++;
                break;
            }

            i = ParseClassAtom(pattern, i, out int low, out var shorthand);
            if (shorthand is not null)
            {
                set.Add(shorthand);
                continue;
            }

            if (i + 1 < pattern.Length && pattern[i] == '-' && pattern[i + 1] != ']')
            {
                int next = ParseClassAtom(pattern, i + 1, out int high, out var highShorthand);
                if (highShorthand is not null)
                {
                    throw new FormatException("a character class range cannot end in a class escape");
                }

                if (high < low)
                {
                    throw new FormatException("character class range out of order");
                }

                set.Add(low, high);
                i = next;
            }
            else
            {
                set.Add(low, low);
            }
        }

        AppendSet(output, negated ? set.Complement() : set);
        return i;
    }

    private static int ParseClassAtom(string pattern, int i, out int codePoint, out CodePointSet? shorthand)
    {
        shorthand = null;
        if (pattern[i] != '\\')
        {
            codePoint = ConvertToUtf32OrSelf(pattern, i, out int width);
            return i + width;
        }

        if (i + 1 >= pattern.Length)
        {
            throw new FormatException("a pattern cannot end with a backslash");
        }

        char e = pattern[i + 1];
        codePoint = 0;
        switch (e)
        {
            case 'd' or 'D' or 'w' or 'W' or 's' or 'S':
                shorthand = Shorthand(e);
                return i + 2;
            case 'p' or 'P':
            {
                int end = ParseProperty(pattern, i, out var set);
                shorthand = e == 'P' ? set.Complement() : set;
                return end;
            }

            default:
                return ParseCharacterEscape(pattern, i, inClass: true, out codePoint);
        }
    }

    private static int ParseProperty(string pattern, int i, out CodePointSet set)
    {
        if (i + 2 >= pattern.Length || pattern[i + 2] != '{')
        {
            throw new FormatException("invalid \\p escape: expected \\p{…}");
        }

        int end = pattern.IndexOf('}', i + 3);
        if (end < 0)
        {
            throw new FormatException("unterminated \\p{…} escape");
        }

        string name = pattern[(i + 3)..end];
        set = s_properties.GetOrAdd(name, PropertySet);
        return end + 1;
    }

    private static CodePointSet PropertySet(string name)
    {
        string value = name;
        int equals = name.IndexOf('=', StringComparison.Ordinal);
        if (equals >= 0)
        {
            string key = name[..equals];
            if (key is not ("General_Category" or "gc"))
            {
                throw new FormatException("unsupported Unicode property '" + name + "' (only General_Category values are supported)");
            }

            value = name[(equals + 1)..];
        }

        switch (value)
        {
            case "Any":
                return new CodePointSet().Add(0, MaxCodePoint);
            case "ASCII":
                return new CodePointSet().Add(0, 0x7F);
            case "ASCII_Hex_Digit":
                return new CodePointSet().Add('0', '9').Add('A', 'F').Add('a', 'f');
        }

        string category = s_categoryAliases.TryGetValue(value, out var alias) ? alias : value;
        var categories = category switch
        {
            "L" => [UnicodeCategory.UppercaseLetter, UnicodeCategory.LowercaseLetter, UnicodeCategory.TitlecaseLetter, UnicodeCategory.ModifierLetter, UnicodeCategory.OtherLetter],
            "LC" => [UnicodeCategory.UppercaseLetter, UnicodeCategory.LowercaseLetter, UnicodeCategory.TitlecaseLetter],
            "Lu" => [UnicodeCategory.UppercaseLetter],
            "Ll" => [UnicodeCategory.LowercaseLetter],
            "Lt" => [UnicodeCategory.TitlecaseLetter],
            "Lm" => [UnicodeCategory.ModifierLetter],
            "Lo" => [UnicodeCategory.OtherLetter],
            "M" => [UnicodeCategory.NonSpacingMark, UnicodeCategory.SpacingCombiningMark, UnicodeCategory.EnclosingMark],
            "Mn" => [UnicodeCategory.NonSpacingMark],
            "Mc" => [UnicodeCategory.SpacingCombiningMark],
            "Me" => [UnicodeCategory.EnclosingMark],
            "N" => [UnicodeCategory.DecimalDigitNumber, UnicodeCategory.LetterNumber, UnicodeCategory.OtherNumber],
            "Nd" => [UnicodeCategory.DecimalDigitNumber],
            "Nl" => [UnicodeCategory.LetterNumber],
            "No" => [UnicodeCategory.OtherNumber],
            "P" => [UnicodeCategory.ConnectorPunctuation, UnicodeCategory.DashPunctuation, UnicodeCategory.OpenPunctuation, UnicodeCategory.ClosePunctuation,
                UnicodeCategory.InitialQuotePunctuation, UnicodeCategory.FinalQuotePunctuation, UnicodeCategory.OtherPunctuation],
            "Pc" => [UnicodeCategory.ConnectorPunctuation],
            "Pd" => [UnicodeCategory.DashPunctuation],
            "Ps" => [UnicodeCategory.OpenPunctuation],
            "Pe" => [UnicodeCategory.ClosePunctuation],
            "Pi" => [UnicodeCategory.InitialQuotePunctuation],
            "Pf" => [UnicodeCategory.FinalQuotePunctuation],
            "Po" => [UnicodeCategory.OtherPunctuation],
            "S" => [UnicodeCategory.MathSymbol, UnicodeCategory.CurrencySymbol, UnicodeCategory.ModifierSymbol, UnicodeCategory.OtherSymbol],
            "Sm" => [UnicodeCategory.MathSymbol],
            "Sc" => [UnicodeCategory.CurrencySymbol],
            "Sk" => [UnicodeCategory.ModifierSymbol],
            "So" => [UnicodeCategory.OtherSymbol],
            "Z" => [UnicodeCategory.SpaceSeparator, UnicodeCategory.LineSeparator, UnicodeCategory.ParagraphSeparator],
            "Zs" => [UnicodeCategory.SpaceSeparator],
            "Zl" => [UnicodeCategory.LineSeparator],
            "Zp" => [UnicodeCategory.ParagraphSeparator],
            "C" => [UnicodeCategory.Control, UnicodeCategory.Format, UnicodeCategory.Surrogate, UnicodeCategory.PrivateUse, UnicodeCategory.OtherNotAssigned],
            "Cc" => [UnicodeCategory.Control],
            "Cf" => [UnicodeCategory.Format],
            "Cs" => [UnicodeCategory.Surrogate],
            "Co" => [UnicodeCategory.PrivateUse],
            "Cn" => [UnicodeCategory.OtherNotAssigned],
            _ => (UnicodeCategory[]?)null,
        } ?? throw new FormatException("unsupported Unicode property '" + name + "' (only General_Category values, Any, ASCII and ASCII_Hex_Digit are supported)");

        var set = new CodePointSet();
        int runStart = -1;
        for (int cp = 0; cp <= MaxCodePoint + 1; cp++)
        {
            bool member = cp <= MaxCodePoint && Array.IndexOf(categories, CharUnicodeInfo.GetUnicodeCategory(cp)) >= 0;
            if (member && runStart < 0)
            {
                runStart = cp;
            }
            else if (!member && runStart >= 0)
            {
                set.Add(runStart, cp - 1);
                runStart = -1;
            }
        }

        return set;
    }

    private static CodePointSet Shorthand(char e) => e switch
    {
        'd' => new CodePointSet().Add('0', '9'),
        'D' => new CodePointSet().Add('0', '9').Complement(),
        'w' => WordSet(),
        'W' => WordSet().Complement(),
        's' => SpaceSet(),
        _ => SpaceSet().Complement(),
    };

    private static CodePointSet WordSet() => new CodePointSet().Add('a', 'z').Add('A', 'Z').Add('0', '9').Add('_', '_');

    private static CodePointSet SpaceSet() => new CodePointSet()
        .Add('\t', '\r').Add(' ', ' ').Add(0xA0, 0xA0).Add(0x1680, 0x1680).Add(0x2000, 0x200A)
        .Add(0x2028, 0x2029).Add(0x202F, 0x202F).Add(0x205F, 0x205F).Add(0x3000, 0x3000).Add(0xFEFF, 0xFEFF);

    /// <summary>Emits a code-point set as UTF-16 alternatives: a BMP class plus surrogate-pair sequences for astral ranges.</summary>
    private static void AppendSet(StringBuilder output, CodePointSet set)
    {
        var alternatives = new List<string>();
        var bmp = new StringBuilder();
        foreach (var (low, high) in set.Ranges)
        {
            foreach (var (l, h) in new[] { (low, Math.Min(high, 0xD7FF)), (Math.Max(low, 0xE000), Math.Min(high, 0xFFFF)) })
            {
                if (l <= h)
                {
                    bmp.Append(Escape(l));
                    if (h > l)
                    {
                        bmp.Append('-').Append(Escape(h));
                    }
                }
            }
        }

        if (bmp.Length > 0)
        {
            alternatives.Add("[" + bmp + "]");
        }

        foreach (var (low, high) in set.Ranges)
        {
            if (high >= 0x10000)
            {
                AppendAstral(alternatives, Math.Max(low, 0x10000), high);
            }
        }

        if (alternatives.Count == 0)
        {
            output.Append(@"[^\u0000-\uFFFF]");
        }
        else if (alternatives.Count == 1 && bmp.Length > 0)
        {
            output.Append(alternatives[0]);
        }
        else
        {
            output.Append("(?:").AppendJoin('|', alternatives).Append(')');
        }
    }

    private static void AppendAstral(List<string> alternatives, int low, int high)
    {
        string lowText = char.ConvertFromUtf32(low);
        string highText = char.ConvertFromUtf32(high);
        int hiLo = lowText[0];
        int loLo = lowText[1];
        int hiHi = highText[0];
        int loHi = highText[1];
        if (hiLo == hiHi)
        {
            alternatives.Add(Escape(hiLo) + "[" + Escape(loLo) + "-" + Escape(loHi) + "]");
            return;
        }

        int first = hiLo;
        int last = hiHi;
        if (loLo != 0xDC00)
        {
            alternatives.Add(Escape(hiLo) + "[" + Escape(loLo) + @"-\uDFFF]");
            first++;
        }

        if (loHi != 0xDFFF)
        {
            alternatives.Add(Escape(hiHi) + @"[\uDC00-" + Escape(loHi) + "]");
            last--;
        }

        if (first <= last)
        {
            alternatives.Add("[" + Escape(first) + "-" + Escape(last) + @"][\uDC00-\uDFFF]");
        }
    }

    private static void AppendLiteral(StringBuilder output, int codePoint, bool inClass)
    {
        if (codePoint >= 0x10000)
        {
            string pair = char.ConvertFromUtf32(codePoint);
            output.Append("(?:").Append(Escape(pair[0])).Append(Escape(pair[1])).Append(')');
        }
        else if (!inClass && char.IsAsciiLetterOrDigit((char)codePoint))
        {
            output.Append((char)codePoint);
        }
        else
        {
            output.Append(Escape(codePoint));
        }
    }

    private static string Escape(int unit) => @"\u" + unit.ToString("X4", CultureInfo.InvariantCulture);

    private static int QuantifierEnd(string pattern, int i)
    {
        int j = i + 1;
        int digits = 0;
        while (j < pattern.Length && char.IsAsciiDigit(pattern[j]))
        {
            j++;
            digits++;
        }

        if (digits == 0)
        {
            return -1;
        }

        if (j < pattern.Length && pattern[j] == ',')
        {
            j++;
            while (j < pattern.Length && char.IsAsciiDigit(pattern[j]))
            {
                j++;
            }
        }

        return j < pattern.Length && pattern[j] == '}' ? j : -1;
    }

    private static bool IsHex(string text, int start, int count)
    {
        if (start + count > text.Length)
        {
            return false;
        }

        for (int k = start; k < start + count; k++)
        {
            if (!char.IsAsciiHexDigit(text[k]))
            {
                return false;
            }
        }

        return true;
    }

    private static int ConvertToUtf32OrSelf(string text, int index, out int width)
    {
        if (char.IsHighSurrogate(text[index]) && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1]))
        {
            width = 2;
            return char.ConvertToUtf32(text[index], text[index + 1]);
        }

        width = 1;
        return text[index];
    }
}

/// <summary>A set of Unicode code points as sorted, merged ranges.</summary>
internal sealed class CodePointSet
{
    private readonly List<(int Low, int High)> _ranges = [];

    public IReadOnlyList<(int Low, int High)> Ranges => _ranges;

    public CodePointSet Add(int low, int high)
    {
        _ranges.Add((low, high));
        Normalize();
        return this;
    }

    public CodePointSet Add(CodePointSet other)
    {
        _ranges.AddRange(other._ranges);
        Normalize();
        return this;
    }

    public CodePointSet Complement()
    {
        var result = new CodePointSet();
        int next = 0;
        foreach (var (low, high) in _ranges)
        {
            if (low > next)
            {
                result._ranges.Add((next, low - 1));
            }

            next = high + 1;
        }

        if (next <= 0x10FFFF)
        {
            result._ranges.Add((next, 0x10FFFF));
        }

        return result;
    }

    private void Normalize()
    {
        _ranges.Sort((a, b) => a.Low.CompareTo(b.Low));
        var merged = new List<(int Low, int High)>(_ranges.Count);
        foreach (var range in _ranges)
        {
            if (merged.Count > 0 && range.Low <= merged[^1].High + 1)
            {
                merged[^1] = (merged[^1].Low, Math.Max(merged[^1].High, range.High));
            }
            else
            {
                merged.Add(range);
            }
        }

        _ranges.Clear();
        _ranges.AddRange(merged);
    }
}
