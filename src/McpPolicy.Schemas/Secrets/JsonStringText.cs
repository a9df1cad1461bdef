using System.Text;

namespace McpPolicy.Schemas.Secrets;

/// <summary>Turns the raw UTF-8 of a JSON string (escapes and all) into its text, so an escaped secret is still seen.</summary>
internal static class JsonStringText
{
    /// <summary>
    /// Unescapes <paramref name="raw"/> (the content between the quotes) into <paramref name="destination"/>, which must be at least
    /// as long: unescaping never grows text. Unpaired surrogates become U+FFFD.
    /// </summary>
    /// <returns>The number of bytes written.</returns>
    public static int Unescape(ReadOnlySpan<byte> raw, Span<byte> destination)
    {
        var written = 0;
        var i = 0;
        while (i < raw.Length)
        {
            var backslash = raw[i..].IndexOf((byte)'\\');
            if (backslash < 0)
            {
                raw[i..].CopyTo(destination[written..]);
                return written + raw.Length - i;
            }

            raw.Slice(i, backslash).CopyTo(destination[written..]);
            written += backslash;
            i += backslash + 1;
            if (i >= raw.Length)
            {
                break;
            }

            var escape = raw[i++];
            switch (escape)
            {
                case (byte)'b':
                    destination[written++] = (byte)'\b';
                    break;
                case (byte)'f':
                    destination[written++] = (byte)'\f';
                    break;
                case (byte)'n':
                    destination[written++] = (byte)'\n';
                    break;
                case (byte)'r':
                    destination[written++] = (byte)'\r';
                    break;
                case (byte)'t':
                    destination[written++] = (byte)'\t';
                    break;
                case (byte)'u':
                    written += UnescapeCodePoint(raw, ref i, destination[written..]);
                    break;
                default:
                    destination[written++] = escape; // \" \\ \/
                    break;
            }
        }

        return written;
    }

    private static int UnescapeCodePoint(ReadOnlySpan<byte> raw, ref int i, Span<byte> destination)
    {
        var unit = Hex4(raw, i);
        if (unit < 0)
        {
            return 0;
        }

        i += 4;
        var scalar = unit;
        if (char.IsHighSurrogate((char)unit) && i + 6 <= raw.Length && raw[i] == '\\' && raw[i + 1] == 'u'
            && Hex4(raw, i + 2) is var low and >= 0 && char.IsLowSurrogate((char)low))
        {
            scalar = char.ConvertToUtf32((char)unit, (char)low);
            i += 6;
        }

        var rune = Rune.IsValid(scalar) ? new Rune(scalar) : Rune.ReplacementChar;
        return rune.EncodeToUtf8(destination);
    }

    private static int Hex4(ReadOnlySpan<byte> raw, int start)
    {
        if (start + 4 > raw.Length)
        {
            return -1;
        }

        var value = 0;
        for (var k = start; k < start + 4; k++)
        {
            var digit = raw[k] switch
            {
                >= (byte)'0' and <= (byte)'9' => raw[k] - '0',
                >= (byte)'a' and <= (byte)'f' => raw[k] - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => raw[k] - 'A' + 10,
                _ => -1,
            };
            if (digit < 0)
            {
                return -1;
            }

            value = (value << 4) | digit;
        }

        return value;
    }
}
