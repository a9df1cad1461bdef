using System.Buffers;
using System.Globalization;
using System.Text;

namespace McpPolicy.Schemas.Scanning;

/// <summary>
/// Runs every per-string detector over one string of a tool definition (a value or a property name) and records what it finds at the
/// sink's current path. Each detector reports its first occurrence only, so the output per string is bounded by the number of detectors.
/// Every detector is a single forward pass or a <see cref="SearchValues{T}"/> search: time is linear in the string.
/// </summary>
internal static class TextInspector
{
    private const int MinBase64Run = 40;
    private const int MinHexRun = 32;
    private const int MaxDecodedChars = 4096;

    public static void Inspect(string text, FindingSink sink, string what)
    {
        if (text.Length == 0)
        {
            return;
        }

        InspectCharacters(text, sink, what);
        InspectMarkup(text, sink, what);
        InspectSensitiveFiles(text, sink, what);
        InspectBlobs(text, sink, what);

        var normalized = NormalizedText.From(text);
        InspectPhrases(text, normalized, sink, what);
    }

    private static void InspectCharacters(string text, FindingSink sink, string what)
    {
        int tagCount = 0, tagFirst = -1, bidiFirst = -1, bidiCount = 0, zeroFirst = -1, zeroCount = 0, joinerFirst = -1, selectorFirst = -1;
        int controlFirst = -1, escapeFirst = -1, selectorRun = 0;
        var bidiStrong = false;
        StringBuilder? tagText = null;
        var i = 0;
        while (i < text.Length)
        {
            if (Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out var consumed) != OperationStatus.Done)
            {
                // A lone surrogate: not text a person can read.
                if (controlFirst < 0)
                {
                    controlFirst = i;
                }

                i++;
                continue;
            }

            var v = rune.Value;
            if (v is >= 0xFE00 and <= 0xFE0F)
            {
                selectorRun++;
                if (selectorRun >= 2 && selectorFirst < 0)
                {
                    selectorFirst = i - 1;
                }
            }
            else
            {
                selectorRun = 0;
            }

            if (v is >= 0xE0000 and <= 0xE007F)
            {
                tagCount++;
                if (tagFirst < 0)
                {
                    tagFirst = i;
                }

                if (v is >= 0xE0020 and <= 0xE007E && (tagText ??= new StringBuilder()).Length < 200)
                {
                    tagText.Append((char)(v - 0xE0000));
                }
            }
            else if (v is >= 0xE0100 and <= 0xE01EF)
            {
                if (selectorFirst < 0)
                {
                    selectorFirst = i;
                }
            }
            else if (v is (>= 0x202A and <= 0x202E) or (>= 0x2066 and <= 0x2069))
            {
                bidiStrong = true;
                bidiCount++;
                if (bidiFirst < 0)
                {
                    bidiFirst = i;
                }
            }
            else if (v is 0x200E or 0x200F or 0x061C)
            {
                bidiCount++;
                if (bidiFirst < 0)
                {
                    bidiFirst = i;
                }
            }
            else if (v is 0x200C or 0x200D)
            {
                if (joinerFirst < 0)
                {
                    joinerFirst = i;
                }
            }
            else if (v is 0x1B or 0x9B or 0x9D)
            {
                if (escapeFirst < 0)
                {
                    escapeFirst = i;
                }
            }
            else if ((v < 0x20 && v is not ('\t' or '\n' or '\r')) || v is >= 0x7F and <= 0x9F)
            {
                if (controlFirst < 0)
                {
                    controlFirst = i;
                }
            }
            else if (v is 0x200B or 0x2060 or 0xFEFF or 0x180E or (>= 0x2061 and <= 0x2064) or 0x115F or 0x1160 or 0x3164 or 0xFFA0 or 0x034F
                     or 0x17B4 or 0x17B5 or 0x2800 or 0x00AD or (>= 0xFFF9 and <= 0xFFFB)
                     || (Rune.GetUnicodeCategory(rune) == UnicodeCategory.Format && v is not (>= 0x0600 and <= 0x0605) and not 0x06DD and not 0x070F))
            {
                zeroCount++;
                if (zeroFirst < 0)
                {
                    zeroFirst = i;
                }
            }

            i += consumed;
        }

        if (tagFirst >= 0)
        {
            var spelled = tagText is null ? string.Empty : $"; they spell \"{VisibleText.Show(tagText.ToString(), 80)}\"";
            sink.Add(DefinitionFindingIds.HiddenTag, FindingSeverity.Critical,
                string.Create(CultureInfo.InvariantCulture, $"{what} holds {tagCount} invisible Unicode tag character(s){spelled}"), VisibleText.Excerpt(text, tagFirst, 2));
        }

        if (bidiFirst >= 0)
        {
            sink.Add(DefinitionFindingIds.HiddenBidi, bidiStrong ? FindingSeverity.High : FindingSeverity.Medium,
                string.Create(CultureInfo.InvariantCulture, $"{what} holds {bidiCount} bidirectional control character(s), which can reorder or hide text"), VisibleText.Excerpt(text, bidiFirst, 1));
        }

        if (zeroFirst >= 0)
        {
            sink.Add(DefinitionFindingIds.HiddenZeroWidth, FindingSeverity.High,
                string.Create(CultureInfo.InvariantCulture, $"{what} holds {zeroCount} zero-width or invisible character(s)"), VisibleText.Excerpt(text, zeroFirst, 1));
        }
        else if (joinerFirst >= 0)
        {
            sink.Add(DefinitionFindingIds.HiddenZeroWidth, FindingSeverity.Medium, $"{what} holds a zero-width joiner or non-joiner", VisibleText.Excerpt(text, joinerFirst, 1));
        }

        if (selectorFirst >= 0)
        {
            sink.Add(DefinitionFindingIds.HiddenVariationSelector, FindingSeverity.High,
                $"{what} holds variation selectors that carry no visible change and can encode hidden bytes", VisibleText.Excerpt(text, selectorFirst, 2));
        }

        if (escapeFirst >= 0)
        {
            sink.Add(DefinitionFindingIds.AnsiEscape, FindingSeverity.High, $"{what} holds a terminal escape sequence, which can hide or rewrite text on a console", VisibleText.Excerpt(text, escapeFirst, 4));
        }

        if (controlFirst >= 0)
        {
            sink.Add(DefinitionFindingIds.ControlCharacter, FindingSeverity.High, $"{what} holds a control character", VisibleText.Excerpt(text, controlFirst, 1));
        }
    }

    private static void InspectMarkup(string text, FindingSink sink, string what)
    {
        var comment = text.IndexOf("<!--", StringComparison.Ordinal);
        if (comment >= 0)
        {
            sink.Add(DefinitionFindingIds.HtmlComment, FindingSeverity.High, $"{what} holds an HTML comment, which renderers hide from people but models read", VisibleText.Excerpt(text, comment, 4));
        }

        var hidden = text.AsSpan().IndexOfAny(Phrases.HiddenMarkup);
        if (hidden >= 0)
        {
            sink.Add(DefinitionFindingIds.HiddenMarkup, FindingSeverity.High, $"{what} holds markup that hides text or runs code", VisibleText.Excerpt(text, hidden, 12));
        }

        var from = 0;
        while (from < text.Length)
        {
            var image = text.AsSpan(from).IndexOfAny(Phrases.RemoteImage);
            if (image < 0)
            {
                break;
            }

            image += from;
            if (text[image] is '<' or '!' || IsMarkdownImage(text, image))
            {
                sink.Add(DefinitionFindingIds.RemoteImage, FindingSeverity.Medium, $"{what} embeds a remote image, whose URL can carry data out when rendered", VisibleText.Excerpt(text, image, 8));
                break;
            }

            from = image + 1;
        }

        InspectTagBlocks(text, sink, what);
    }

    /// <summary>True when the "](" at <paramref name="index"/> closes a Markdown image ("![...]") within 300 characters.</summary>
    private static bool IsMarkdownImage(string text, int index)
    {
        var open = text.LastIndexOf('[', index, Math.Min(index + 1, 300));
        return open > 0 && text[open - 1] == '!';
    }

    private static void InspectTagBlocks(string text, FindingSink sink, string what)
    {
        var special = text.IndexOf("<|", StringComparison.Ordinal);
        if (special >= 0)
        {
            sink.Add(DefinitionFindingIds.InstructionTagBlock, FindingSeverity.High, $"{what} holds a chat-template control token", VisibleText.Excerpt(text, special, 12));
            return;
        }

        for (var i = 0; i < text.Length; i++)
        {
            var open = text[i];
            if (open is not ('<' or '['))
            {
                continue;
            }

            var j = i + 1;
            while (j < text.Length && j - i < 4 && text[j] is '/' or ' ' or '!' or '#')
            {
                j++;
            }

            var wordStart = j;
            while (j < text.Length && j - wordStart <= 24 && (char.IsAsciiLetterOrDigit(text[j]) || text[j] is '_' or '-'))
            {
                j++;
            }

            if (j == wordStart || j - wordStart > 24)
            {
                continue;
            }

            var close = j < text.Length ? text[j] : '\0';
            if (close is not ('>' or ']' or ' ' or ':' or '|' or '\0'))
            {
                continue;
            }

            if (Phrases.BlockTags.Contains(text.Substring(wordStart, j - wordStart).Replace('-', '_')))
            {
                sink.Add(DefinitionFindingIds.InstructionTagBlock, FindingSeverity.High, $"{what} opens a block addressed to the model", VisibleText.Excerpt(text, i, j - i + 1));
                return;
            }

            i = j - 1;
        }
    }

    private static void InspectSensitiveFiles(string text, FindingSink sink, string what)
    {
        var from = 0;
        while (from < text.Length)
        {
            var index = text.AsSpan(from).IndexOfAny(Phrases.SensitiveFiles);
            if (index < 0)
            {
                return;
            }

            index += from;
            if (text.AsSpan(index).StartsWith(".env", StringComparison.OrdinalIgnoreCase))
            {
                var before = index == 0 ? ' ' : text[index - 1];
                var after = index + 4 < text.Length ? text[index + 4] : ' ';
                if (char.IsLetterOrDigit(before) || before == '_' || char.IsLetterOrDigit(after) || after == '_')
                {
                    from = index + 1;
                    continue;
                }
            }

            sink.Add(DefinitionFindingIds.SensitiveFile, FindingSeverity.High, $"{what} refers to a file that holds secrets", VisibleText.Excerpt(text, index, 12));
            return;
        }
    }

    private static void InspectPhrases(string text, NormalizedText normalized, FindingSink sink, string what)
    {
        Report(Phrases.Override, DefinitionFindingIds.InstructionOverride, FindingSeverity.High, "tells the model to ignore or replace its instructions");
        Report(Phrases.OverrideWeak, DefinitionFindingIds.InstructionOverride, FindingSeverity.Medium, "speaks of replacing instructions or skipping confirmation");
        Report(Phrases.Concealment, DefinitionFindingIds.InstructionConcealment, FindingSeverity.High, "tells the model to keep something from the user");
        Report(Phrases.Precondition, DefinitionFindingIds.InstructionPrecondition, FindingSeverity.High, "tells the model to do something else first");
        Report(Phrases.PreconditionWeak, DefinitionFindingIds.InstructionPrecondition, FindingSeverity.Medium, "asks for a step before this tool");
        Report(Phrases.ToolRedirect, DefinitionFindingIds.InstructionToolRedirect, FindingSeverity.High, "tells the model how to treat other tools or recipients");
        Report(Phrases.ToolMention, DefinitionFindingIds.InstructionToolRedirect, FindingSeverity.Medium, "speaks about other tools or where results go");
        Report(Phrases.ModelAddressed, DefinitionFindingIds.InstructionModelAddressed, FindingSeverity.Medium, "addresses the model directly");
        Report(Phrases.CredentialHigh, DefinitionFindingIds.CredentialReference, FindingSeverity.High, "refers to private keys or seed phrases");
        Report(Phrases.Credential, DefinitionFindingIds.CredentialReference, FindingSeverity.Medium, "refers to credentials or private context");

        void Report(PhraseSet set, string id, FindingSeverity severity, string message)
        {
            var index = set.Find(normalized.Text, out var length);
            if (index >= 0)
            {
                var (start, count) = normalized.ToSource(index, length);
                sink.Add(id, severity, $"{what} {message}", VisibleText.Excerpt(text, start, count));
            }
        }
    }

    private static void InspectBlobs(string text, FindingSink sink, string what)
    {
        var reportedBase64 = false;
        var reportedHex = false;
        var i = 0;
        while (i < text.Length && !(reportedBase64 && reportedHex))
        {
            if (!IsBase64Char(text[i]))
            {
                i++;
                continue;
            }

            var start = i;
            bool upper = false, lower = false, digit = false, hexOnly = true;
            while (i < text.Length && IsBase64Char(text[i]))
            {
                var c = text[i];
                upper |= char.IsAsciiLetterUpper(c);
                lower |= char.IsAsciiLetterLower(c);
                digit |= char.IsAsciiDigit(c);
                hexOnly &= char.IsAsciiHexDigit(c);
                i++;
            }

            var end = i;
            while (i < text.Length && text[i] == '=' && i - end < 2)
            {
                i++;
            }

            var length = end - start;
            if (hexOnly && length >= MinHexRun && !reportedHex)
            {
                reportedHex = true;
                var decoded = DecodeHex(text.AsSpan(start, Math.Min(length, MaxDecodedChars)));
                ReportBlob(DefinitionFindingIds.HexBlob, "hexadecimal", decoded, start, length);
            }
            else if (!hexOnly && length >= MinBase64Run && !reportedBase64)
            {
                var decoded = DecodeBase64(text.AsSpan(start, Math.Min(length, MaxDecodedChars)));
                if (decoded is not null || (upper && lower && digit))
                {
                    reportedBase64 = true;
                    ReportBlob(DefinitionFindingIds.Base64Blob, "base64", decoded, start, length);
                }
            }
        }

        void ReportBlob(string id, string kind, string? decoded, int start, int length)
        {
            if (decoded is not null)
            {
                sink.Add(id, FindingSeverity.High, $"{what} holds a {kind} run that decodes to text: \"{VisibleText.Show(decoded, 60)}\"", VisibleText.Excerpt(text, start, length));
            }
            else
            {
                sink.Add(id, FindingSeverity.Medium, string.Create(CultureInfo.InvariantCulture, $"{what} holds a {length}-character {kind} run"), VisibleText.Excerpt(text, start, length));
            }
        }
    }

    private static bool IsBase64Char(char c) => char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '-' or '_';

    /// <summary>The text a hex run spells when it is mostly printable ASCII, else null.</summary>
    private static string? DecodeHex(ReadOnlySpan<char> hex)
    {
        var bytes = new byte[hex.Length / 2];
        for (var k = 0; k < bytes.Length; k++)
        {
            bytes[k] = (byte)((HexValue(hex[2 * k]) << 4) | HexValue(hex[(2 * k) + 1]));
        }

        return Printable(bytes);
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    /// <summary>The text a base64 (or base64url) run spells when it is mostly printable ASCII, else null.</summary>
    private static string? DecodeBase64(ReadOnlySpan<char> run)
    {
        var usable = run.Length - (run.Length % 4 == 1 ? 1 : 0);
        var padded = new char[(usable + 3) / 4 * 4];
        for (var k = 0; k < padded.Length; k++)
        {
            padded[k] = k < usable ? run[k] switch { '-' => '+', '_' => '/', var c => c } : '=';
        }

        var bytes = new byte[padded.Length / 4 * 3];
        return Convert.TryFromBase64Chars(padded, bytes, out var written) ? Printable(bytes.AsSpan(0, written)) : null;
    }

    private static string? Printable(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 16)
        {
            return null;
        }

        int printable = 0, letters = 0;
        foreach (var b in bytes)
        {
            if (b is >= 0x20 and < 0x7F or (byte)'\t' or (byte)'\n' or (byte)'\r')
            {
                printable++;
            }

            if (b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z'))
            {
                letters++;
            }
        }

        return printable * 100 >= bytes.Length * 90 && letters * 2 >= bytes.Length ? Encoding.ASCII.GetString(bytes) : null;
    }
}
