namespace McpPolicy.Schemas.Secrets;

/// <summary>Byte classes and bounded run lengths over UTF-8 text. Non-ASCII bytes belong to no class.</summary>
internal static class TextRuns
{
    public static bool IsAlnum(byte b) => char.IsAsciiLetterOrDigit((char)b);

    public static bool IsUpperAlnum(byte b) => char.IsAsciiLetterUpper((char)b) || char.IsAsciiDigit((char)b);

    /// <summary>Letters, digits and '_'.</summary>
    public static bool IsWord(byte b) => IsAlnum(b) || b == '_';

    /// <summary>The base64url alphabet: letters, digits, '-' and '_'.</summary>
    public static bool IsBase64Url(byte b) => IsAlnum(b) || b is (byte)'-' or (byte)'_';

    /// <summary>The standard base64 alphabet with padding: letters, digits, '+', '/' and '='.</summary>
    public static bool IsBase64(byte b) => IsAlnum(b) || b is (byte)'+' or (byte)'/' or (byte)'=';

    /// <summary>True when a token starting at <paramref name="index"/> is not the tail of a longer alphanumeric run.</summary>
    public static bool StartsToken(ReadOnlySpan<byte> text, int index) => index == 0 || !IsAlnum(text[index - 1]);

    public static int AlnumRun(ReadOnlySpan<byte> text, int start, int max)
    {
        var end = max >= text.Length - start ? text.Length : start + max;
        var i = start;
        while (i < end && IsAlnum(text[i]))
        {
            i++;
        }

        return i - start;
    }

    public static int WordRun(ReadOnlySpan<byte> text, int start, int max)
    {
        var end = max >= text.Length - start ? text.Length : start + max;
        var i = start;
        while (i < end && IsWord(text[i]))
        {
            i++;
        }

        return i - start;
    }

    public static int Base64UrlRun(ReadOnlySpan<byte> text, int start, int max)
    {
        var end = max >= text.Length - start ? text.Length : start + max;
        var i = start;
        while (i < end && IsBase64Url(text[i]))
        {
            i++;
        }

        return i - start;
    }

    public static int Base64Run(ReadOnlySpan<byte> text, int start, int max)
    {
        var end = max >= text.Length - start ? text.Length : start + max;
        var i = start;
        while (i < end && IsBase64(text[i]))
        {
            i++;
        }

        return i - start;
    }

    /// <summary>
    /// True when <paramref name="body"/> holds at least <paramref name="distinct"/> different characters: real keys do, while
    /// placeholders such as <c>ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx</c> do not.
    /// </summary>
    public static bool HasVariety(ReadOnlySpan<byte> body, int distinct)
    {
        ulong low = 0, high = 0;
        var seen = 0;
        foreach (var b in body)
        {
            ref var word = ref (b < 64 ? ref low : ref high);
            var bit = 1UL << (b & 63);
            if (b < 128 && (word & bit) == 0)
            {
                word |= bit;
                if (++seen >= distinct)
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>The byte after a run, or 0 at the end of the text.</summary>
    public static byte After(ReadOnlySpan<byte> text, int index) => index < text.Length ? text[index] : (byte)0;
}
