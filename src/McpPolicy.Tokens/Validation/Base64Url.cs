namespace McpPolicy.Tokens;

/// <summary>Strict base64url (RFC 4648 section 5) without padding, as JWS compact serialization requires.</summary>
internal static class Base64Url
{
    /// <summary>
    /// Decodes <paramref name="text"/>, refusing padding, characters outside the base64url alphabet, an impossible length
    /// and non-zero unused bits in the last character, so every byte string has exactly one accepted encoding.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<char> text, out byte[] bytes)
    {
        bytes = [];
        if (text.Length % 4 == 1)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (Value(c) < 0)
            {
                return false;
            }
        }

        // Unused low bits of the last character must be zero: otherwise two encodings decode to the same bytes.
        if (text.Length > 0)
        {
            var last = Value(text[^1]);
            var unusedMask = (text.Length % 4) switch
            {
                2 => 0b1111,
                3 => 0b11,
                _ => 0,
            };
            if ((last & unusedMask) != 0)
            {
                return false;
            }
        }

        var output = new byte[text.Length * 3 / 4];
        int buffer = 0, bits = 0, index = 0;
        foreach (var c in text)
        {
            buffer = (buffer << 6) | Value(c);
            bits += 6;
            if (bits >= 8)
            {
                bits -= 8;
                output[index++] = (byte)(buffer >> bits);
                buffer &= (1 << bits) - 1;
            }
        }

        bytes = output;
        return true;
    }

    /// <summary>Encodes <paramref name="bytes"/> as base64url without padding.</summary>
    public static string Encode(ReadOnlySpan<byte> bytes)
        => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static int Value(char c) => c switch
    {
        >= 'A' and <= 'Z' => c - 'A',
        >= 'a' and <= 'z' => c - 'a' + 26,
        >= '0' and <= '9' => c - '0' + 52,
        '-' => 62,
        '_' => 63,
        _ => -1,
    };
}
