using System.Text.Unicode;

namespace McpPolicy.Schemas.Secrets;

/// <summary>Decodes short base64 or base64url tokens (either alphabet, padding optional) to tell key material from encoded text.</summary>
internal static class Base64Text
{
    private const int MaxDecodedLength = 1536;

    /// <summary>True when the token decodes to a JSON object with an <c>"alg"</c> member, as a JOSE (JWT) header does.</summary>
    public static bool IsJoseHeader(ReadOnlySpan<byte> token)
    {
        Span<byte> decoded = stackalloc byte[MaxDecodedLength];
        var length = Decode(token, decoded);
        if (length < 0)
        {
            return false;
        }

        var json = decoded[..length].TrimStart(" \t\r\n"u8);
        if (json.IsEmpty || json[0] != '{')
        {
            return false;
        }

        var alg = json.IndexOf("\"alg\""u8);
        return alg >= 0 && json[(alg + 5)..].TrimStart(" \t\r\n"u8) is [(byte)':', ..];
    }

    /// <summary>
    /// True when the token decodes to printable UTF-8 text: base64 of words or JSON, which looks random but is not key material.
    /// Random bytes pass with negligible probability (every one of at least 15 bytes would have to be printable).
    /// </summary>
    public static bool DecodesToText(ReadOnlySpan<byte> token)
    {
        Span<byte> decoded = stackalloc byte[MaxDecodedLength];
        var length = Decode(token, decoded);
        if (length <= 0 || !Utf8.IsValid(decoded[..length]))
        {
            return false;
        }

        foreach (var b in decoded[..length])
        {
            if ((b < 0x20 && b is not ((byte)'\t' or (byte)'\n' or (byte)'\r')) || b == 0x7F)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Decodes into <paramref name="destination"/>; returns the length, or -1 when the token is not base64 or too long.</summary>
    private static int Decode(ReadOnlySpan<byte> token, Span<byte> destination)
    {
        token = token.TrimEnd((byte)'=');
        if (token.Length % 4 == 1 || token.Length / 4 * 3 + 2 > destination.Length)
        {
            return -1;
        }

        int bits = 0, count = 0, written = 0;
        foreach (var b in token)
        {
            var value = SextetOf(b);
            if (value < 0)
            {
                return -1;
            }

            bits = (bits << 6) | value;
            count += 6;
            if (count >= 8)
            {
                count -= 8;
                destination[written++] = (byte)(bits >> count);
                bits &= (1 << count) - 1;
            }
        }

        return written;
    }

    private static int SextetOf(byte b) => b switch
    {
        >= (byte)'A' and <= (byte)'Z' => b - 'A',
        >= (byte)'a' and <= (byte)'z' => b - 'a' + 26,
        >= (byte)'0' and <= (byte)'9' => b - '0' + 52,
        (byte)'+' or (byte)'-' => 62,
        (byte)'/' or (byte)'_' => 63,
        _ => -1,
    };
}
