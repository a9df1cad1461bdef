using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace McpPolicy.Tokens;

/// <summary>Strict parsing and canonicalization of resource URIs; see <see cref="ResourceIndicator"/> for the rules.</summary>
internal static class ResourceUriCanonicalizer
{
    public const int MaxLength = 2048;

    public static bool TryCanonicalize(string? input, [NotNullWhen(true)] out string? canonical, [NotNullWhen(false)] out string? error)
    {
        canonical = null;
        error = Check(input);
        if (error is not null)
        {
            return false;
        }

        var text = input!;
        var schemeEnd = text.IndexOf(':', StringComparison.Ordinal);
        if (schemeEnd <= 0)
        {
            error = "it is not an absolute URI";
            return false;
        }

        var scheme = text[..schemeEnd].ToLowerInvariant();
        if (scheme is not ("https" or "http"))
        {
            error = $"the scheme must be https (or http on a loopback host), not '{scheme}'";
            return false;
        }

        if (!text.AsSpan(schemeEnd + 1).StartsWith("//", StringComparison.Ordinal))
        {
            error = "it has no authority ('//host')";
            return false;
        }

        var authorityStart = schemeEnd + 3;
        var pathStart = text.IndexOf('/', authorityStart);
        if (pathStart < 0)
        {
            pathStart = text.Length;
        }

        if (!TryHostAndPort(text[authorityStart..pathStart], out var host, out var port, out error))
        {
            return false;
        }

        if (scheme == "http" && !IsLoopback(host))
        {
            error = "plain http is allowed only on a loopback host";
            return false;
        }

        if (!TryPath(text.AsSpan(pathStart), out var path, out error))
        {
            return false;
        }

        var defaultPort = scheme == "https" ? 443 : 80;
        canonical = port is null || port == defaultPort
            ? string.Concat(scheme, "://", host, path)
            : string.Concat(scheme, "://", host, ":", port.Value.ToString(CultureInfo.InvariantCulture), path);
        return true;
    }

    private static string? Check(string? input)
    {
        if (string.IsNullOrEmpty(input))
        {
            return "it is empty";
        }

        if (input.Length > MaxLength)
        {
            return $"it is longer than {MaxLength} characters";
        }

        foreach (var c in input)
        {
            if (c <= 0x20 || char.IsControl(c) || char.IsWhiteSpace(c) || c is '\u200B' or '\uFEFF')
            {
                return "it contains whitespace or control characters";
            }

            switch (c)
            {
                case '#':
                    return "it has a fragment";
                case '?':
                    return "it has a query";
                case '\\':
                    return "it contains a backslash";
                case '@':
                    return "it has user information or an '@' in the path";
            }
        }

        return null;
    }

    private static bool TryHostAndPort(string authority, [NotNullWhen(true)] out string? host, out int? port, [NotNullWhen(false)] out string? error)
    {
        host = null;
        port = null;
        string rawHost;
        string? rawPort;
        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                error = "the IPv6 address is not closed with ']'";
                return false;
            }

            rawHost = authority[..(close + 1)];
            var rest = authority[(close + 1)..];
            if (rest.Length > 0 && rest[0] != ':')
            {
                error = "unexpected text after the IPv6 address";
                return false;
            }

            rawPort = rest.Length > 0 ? rest[1..] : null;
        }
        else
        {
            var colon = authority.IndexOf(':', StringComparison.Ordinal);
            rawHost = colon < 0 ? authority : authority[..colon];
            rawPort = colon < 0 ? null : authority[(colon + 1)..];
        }

        if (rawPort is not null && !TryPort(rawPort, out port, out error))
        {
            return false;
        }

        return TryHost(rawHost, out host, out error);
    }

    private static bool TryPort(string text, out int? port, [NotNullWhen(false)] out string? error)
    {
        port = null;
        error = null;
        if (text.Length == 0)
        {
            // RFC 3986 §6.2.3: an empty port means the scheme's default.
            return true;
        }

        if (text.Length > 5 || !text.All(char.IsAsciiDigit))
        {
            error = $"the port '{text}' is not a number from 1 to 65535";
            return false;
        }

        var value = int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
        if (value is < 1 or > 65535)
        {
            error = $"the port '{text}' is not a number from 1 to 65535";
            return false;
        }

        port = value;
        return true;
    }

    private static bool TryHost(string raw, [NotNullWhen(true)] out string? host, [NotNullWhen(false)] out string? error)
    {
        host = null;
        error = null;
        if (raw.Length == 0)
        {
            error = "it has no host";
            return false;
        }

        if (raw[0] == '[')
        {
            var inner = raw[1..^1];
            if (inner.Contains('%', StringComparison.Ordinal)
                || !IPAddress.TryParse(inner, out var address)
                || address.AddressFamily != AddressFamily.InterNetworkV6)
            {
                error = "the bracketed host is not a plain IPv6 address";
                return false;
            }

            host = "[" + address.ToString() + "]";
            return true;
        }

        if (raw.Contains('%', StringComparison.Ordinal))
        {
            error = "the host contains percent-escapes";
            return false;
        }

        if (raw.EndsWith('.') || raw.StartsWith('.') || raw.Contains("..", StringComparison.Ordinal))
        {
            error = "the host has an empty label";
            return false;
        }

        string ascii;
        try
        {
            // Also checks ASCII hosts: letters, digits and hyphens only, no label over 63 characters, valid xn-- labels.
            // IdnMapping does not promise thread-safe instance members, so each parse uses its own.
            var idn = new IdnMapping { UseStd3AsciiRules = true, AllowUnassigned = false };
            ascii = idn.GetAscii(raw).ToLowerInvariant();
            idn.GetUnicode(ascii);
        }
        catch (ArgumentException)
        {
            error = "the host is not a valid DNS name";
            return false;
        }

        var lastLabel = ascii[(ascii.LastIndexOf('.') + 1)..];
        if (lastLabel.All(char.IsAsciiDigit) || (lastLabel.StartsWith("0x", StringComparison.Ordinal) && lastLabel[2..].All(char.IsAsciiHexDigit)))
        {
            // A host whose last label is a number is IPv4 to WHATWG URL parsers, which also read decimal, octal and hex
            // shorthands (2130706433, 0177.0.0.1, 0x7f.1); accept only the plain dotted-decimal form.
            if (!IsDottedDecimalIPv4(ascii))
            {
                error = "a numeric host must be a dotted-decimal IPv4 address without leading zeros";
                return false;
            }
        }

        host = ascii;
        return true;
    }

    private static bool IsDottedDecimalIPv4(string host)
    {
        var parts = host.Split('.');
        if (parts.Length != 4)
        {
            return false;
        }

        foreach (var part in parts)
        {
            if (part.Length is 0 or > 3 || !part.All(char.IsAsciiDigit) || (part.Length > 1 && part[0] == '0')
                || int.Parse(part, NumberStyles.None, CultureInfo.InvariantCulture) > 255)
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsLoopback(string host)
    {
        if (host == "localhost")
        {
            return true;
        }

        var literal = host.StartsWith('[') ? host[1..^1] : host;
        return IPAddress.TryParse(literal, out var address) && IPAddress.IsLoopback(address)
            && (address.AddressFamily == AddressFamily.InterNetworkV6 || IsDottedDecimalIPv4(literal));
    }

    private static bool TryPath(ReadOnlySpan<char> path, [NotNullWhen(true)] out string? canonical, [NotNullWhen(false)] out string? error)
    {
        canonical = null;
        error = null;

        // The MCP authorization spec recommends the form without a trailing slash; "/" and "" name the same resource.
        if (path.Length > 0 && path[^1] == '/')
        {
            path = path[..^1];
        }

        var builder = new StringBuilder(path.Length);
        var segmentStart = 0;
        for (var i = 0; i < path.Length; i++)
        {
            var c = path[i];
            if (c == '/')
            {
                if (i > 0 && !EndSegment(builder, segmentStart, out error))
                {
                    return false;
                }

                builder.Append('/');
                segmentStart = builder.Length;
                continue;
            }

            if (c == '%')
            {
                if (i + 2 >= path.Length || !char.IsAsciiHexDigit(path[i + 1]) || !char.IsAsciiHexDigit(path[i + 2]))
                {
                    error = "the path has an invalid percent-escape";
                    return false;
                }

                var decoded = (char)((HexValue(path[i + 1]) << 4) | HexValue(path[i + 2]));
                if (IsUnreserved(decoded))
                {
                    builder.Append(decoded);
                }
                else
                {
                    builder.Append('%').Append(char.ToUpperInvariant(path[i + 1])).Append(char.ToUpperInvariant(path[i + 2]));
                }

                i += 2;
                continue;
            }

            if (!IsUnreserved(c) && !IsSubDelimiter(c) && c != ':')
            {
                error = $"the path contains '{c}', which must be percent-encoded";
                return false;
            }

            builder.Append(c);
        }

        if (path.Length > 0 && !EndSegment(builder, segmentStart, out error))
        {
            return false;
        }

        canonical = builder.ToString();
        return true;
    }

    private static bool EndSegment(StringBuilder builder, int segmentStart, [NotNullWhen(false)] out string? error)
    {
        error = null;
        var length = builder.Length - segmentStart;
        if (length == 0)
        {
            error = "the path has an empty segment ('//')";
            return false;
        }

        if ((length == 1 && builder[segmentStart] == '.') || (length == 2 && builder[segmentStart] == '.' && builder[segmentStart + 1] == '.'))
        {
            error = "the path has a '.' or '..' segment";
            return false;
        }

        return true;
    }

    private static bool IsUnreserved(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~';

    private static bool IsSubDelimiter(char c) => c is '!' or '$' or '&' or '\'' or '(' or ')' or '*' or '+' or ',' or ';' or '=';

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
