using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace McpPolicy.Schemas.Constraints;

/// <summary>A normalized URL host: a lower-case ASCII (punycode) domain name without a trailing dot, or an IP address.</summary>
/// <param name="Name">The domain name, when the host is not an IP literal.</param>
/// <param name="Address">The address, when the host is an IP literal (IPv4-mapped IPv6 is stored as IPv4).</param>
internal readonly record struct UrlHost(string? Name, IPAddress? Address)
{
    /// <summary>
    /// Normalizes a host the way the WHATWG URL standard (browsers, and most HTTP clients that follow it) does for
    /// http(s): percent-decoding, IDNA (UTS #46) to punycode and lower case, one trailing dot dropped, and a host whose last
    /// label is a number read as an IPv4 address in any of its historical forms (<c>2130706433</c>, <c>0x7f.1</c>,
    /// <c>017700000001</c>, <c>127.1</c>). A host such a parser would refuse is refused.
    /// </summary>
    public static bool TryParse(string text, out UrlHost host)
    {
        host = default;
        if (text.Length == 0)
        {
            return false;
        }

        if (text[0] == '[')
        {
            if (text.Length < 3 || text[^1] != ']')
            {
                return false;
            }

            var inner = text[1..^1];

            // Hex digits, colons and an embedded dotted IPv4 only: no zone id (%eth0), which differs by machine.
            foreach (var c in inner)
            {
                if (!char.IsAsciiHexDigit(c) && c != ':' && c != '.')
                {
                    return false;
                }
            }

            if (!IPAddress.TryParse(inner, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                return false;
            }

            host = new UrlHost(null, Normalize(v6));
            return true;
        }

        if (!TryPercentDecode(text, out var decoded))
        {
            return false;
        }

        string ascii;
        try
        {
            // A new mapping per call: IdnMapping does not promise thread safety for instance members.
            ascii = new IdnMapping { UseStd3AsciiRules = true, AllowUnassigned = false }.GetAscii(decoded);
        }
        catch (ArgumentException)
        {
            return false;
        }

        ascii = ascii.ToLowerInvariant();
        if (ascii.EndsWith('.'))
        {
            ascii = ascii[..^1];
        }

        if (ascii.Length == 0 || ascii.EndsWith('.'))
        {
            return false;
        }

        if (EndsInNumber(ascii))
        {
            if (!TryParseIPv4(ascii, out var v4))
            {
                return false;
            }

            host = new UrlHost(null, v4);
            return true;
        }

        host = new UrlHost(ascii, null);
        return true;
    }

    /// <summary>IPv4-mapped IPv6 addresses (<c>::ffff:127.0.0.1</c>) reach the IPv4 host, so they are stored as IPv4.</summary>
    public static IPAddress Normalize(IPAddress address)
        => address.AddressFamily == AddressFamily.InterNetworkV6 && address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    /// <inheritdoc />
    public override string ToString() => Address is { } a
        ? a.AddressFamily == AddressFamily.InterNetworkV6 ? "[" + a + "]" : a.ToString()
        : Name ?? "";

    private static bool TryPercentDecode(string text, out string decoded)
    {
        decoded = text;
        if (!text.Contains('%', StringComparison.Ordinal))
        {
            return true;
        }

        var bytes = new List<byte>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '%')
            {
                if (i + 2 >= text.Length || !char.IsAsciiHexDigit(text[i + 1]) || !char.IsAsciiHexDigit(text[i + 2]))
                {
                    return false;
                }

                bytes.Add(byte.Parse(text.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                i += 2;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(text.Substring(i, char.IsHighSurrogate(c) && i + 1 < text.Length ? 2 : 1)));
                if (char.IsHighSurrogate(c))
                {
                    i++;
                }
            }
        }

        try
        {
            decoded = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes.ToArray());
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    /// <summary>WHATWG "ends in a number": the last label (ignoring one trailing dot) is decimal digits or 0x-hex.</summary>
    private static bool EndsInNumber(string host)
    {
        var last = host[(host.LastIndexOf('.') + 1)..];
        if (last.Length == 0)
        {
            return false;
        }

        if (last.All(char.IsAsciiDigit))
        {
            return true;
        }

        return last.Length >= 2 && last[0] == '0' && (last[1] == 'x' || last[1] == 'X') && last[2..].All(char.IsAsciiHexDigit);
    }

    /// <summary>The WHATWG IPv4 parser: one to four parts, each decimal, octal (leading 0) or hex (0x); the last fills the remaining bytes.</summary>
    internal static bool TryParseIPv4(string host, out IPAddress address)
    {
        address = IPAddress.None;
        var parts = host.Split('.');
        if (parts.Length > 4)
        {
            return false;
        }

        var numbers = new ulong[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!TryParseIPv4Number(parts[i], out numbers[i]))
            {
                return false;
            }
        }

        for (var i = 0; i < numbers.Length - 1; i++)
        {
            if (numbers[i] > 255)
            {
                return false;
            }
        }

        var last = numbers[^1];
        if (last >= 1UL << (8 * (5 - numbers.Length)))
        {
            return false;
        }

        var value = last;
        for (var i = 0; i < numbers.Length - 1; i++)
        {
            value += numbers[i] << (8 * (3 - i));
        }

        address = new IPAddress([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);
        return true;
    }

    private static bool TryParseIPv4Number(string part, out ulong value)
    {
        value = 0;
        if (part.Length == 0)
        {
            return false;
        }

        var radix = 10;
        var digits = part.AsSpan();
        if (digits.Length >= 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X'))
        {
            radix = 16;
            digits = digits[2..];
        }
        else if (digits.Length >= 2 && digits[0] == '0')
        {
            radix = 8;
            digits = digits[1..];
        }

        foreach (var c in digits)
        {
            int d = c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'a' and <= 'f' => c - 'a' + 10,
                >= 'A' and <= 'F' => c - 'A' + 10,
                _ => int.MaxValue,
            };
            if (d >= radix)
            {
                return false;
            }

            value = (value * (ulong)radix) + (ulong)d;
            if (value > uint.MaxValue)
            {
                // Larger than any part can be; stop before overflowing.
                return false;
            }
        }

        return true;
    }
}
