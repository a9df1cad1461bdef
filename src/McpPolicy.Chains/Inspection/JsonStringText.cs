using System.Globalization;
using System.Text;

namespace McpPolicy.Chains.Inspection;

/// <summary>
/// Unescapes a JSON string token's raw bytes, keeping lone surrogates written as <c>\uD800</c> (which the System.Text.Json reader
/// refuses to unescape) so that they can be sanitized like any other unsafe character.
/// </summary>
internal static class JsonStringText
{
    /// <summary>Writes the unescaped text of <paramref name="raw"/> (valid UTF-8 with JSON escapes) to <paramref name="destination"/>, which must hold at least raw.Length chars.</summary>
    /// <returns>How many chars were written.</returns>
    public static int Unescape(ReadOnlySpan<byte> raw, Span<char> destination)
    {
        var written = 0;
        var i = 0;
        while (i < raw.Length)
        {
            var backslash = raw[i..].IndexOf((byte)'\\');
            var plain = backslash < 0 ? raw[i..] : raw.Slice(i, backslash);
            written += Encoding.UTF8.GetChars(plain, destination[written..]);
            if (backslash < 0)
            {
                break;
            }

            i += backslash + 1;
            if (i >= raw.Length)
            {
                throw new FormatException("A JSON string ends with a lone backslash.");
            }

            var escaped = raw[i++];
            destination[written++] = escaped switch
            {
                (byte)'"' => '"',
                (byte)'\\' => '\\',
                (byte)'/' => '/',
                (byte)'b' => '\b',
                (byte)'f' => '\f',
                (byte)'n' => '\n',
                (byte)'r' => '\r',
                (byte)'t' => '\t',
                (byte)'u' when i + 4 <= raw.Length => (char)ushort.Parse(Encoding.ASCII.GetString(raw.Slice(i, 4)), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture),
                _ => throw new FormatException("A JSON string holds an invalid escape."),
            };
            if (escaped == 'u')
            {
                i += 4;
            }
        }

        return written;
    }
}
