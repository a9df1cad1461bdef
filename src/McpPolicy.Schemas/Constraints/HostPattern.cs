using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace McpPolicy.Schemas.Constraints;

/// <summary>
/// One <c>allowHosts</c> or <c>denyHosts</c> entry: an exact host (<c>api.github.com</c>, normalized like a URL host, so
/// <c>bücher.example</c> and <c>xn--bcher-kva.example</c> are the same entry), <c>*.example.com</c> (any subdomain at any
/// depth, not <c>example.com</c> itself), an IP address in any form a URL accepts, or an address range in CIDR notation
/// (<c>10.0.0.0/8</c>, <c>fd00::/8</c>).
/// </summary>
internal sealed class HostPattern
{
    private readonly string? _name;
    private readonly string? _suffix;
    private readonly byte[]? _network;
    private readonly int _prefixLength;
    private readonly AddressFamily _family;

    private HostPattern(string text, string? name, string? suffix, byte[]? network, int prefixLength, AddressFamily family)
    {
        Text = text;
        _name = name;
        _suffix = suffix;
        _network = network;
        _prefixLength = prefixLength;
        _family = family;
    }

    /// <summary>The entry as written.</summary>
    public string Text { get; }

    public static HostPattern? Parse(string text, out string error)
    {
        error = "";
        if (text.StartsWith("*.", StringComparison.Ordinal))
        {
            if (!UrlHost.TryParse(text[2..], out var parent) || parent.Name is null)
            {
                error = $"'{text}' is not a valid wildcard host; write '*.' followed by a domain name, such as *.example.com";
                return null;
            }

            return new HostPattern(text, null, "." + parent.Name, null, 0, AddressFamily.Unspecified);
        }

        if (text.Contains('*', StringComparison.Ordinal))
        {
            error = $"'{text}' is not a valid host: '*' is only accepted as a leading '*.' (omit allowHosts to allow any public host)";
            return null;
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            var addressText = text[..slash];
            var mapped = addressText.Contains(':', StringComparison.Ordinal);
            if (!UrlHost.TryParse(Bracket(addressText), out var range) || range.Address is not { } network
                || !int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var prefix))
            {
                error = $"'{text}' is not a valid address range; write it in CIDR notation, such as 10.0.0.0/8 or fd00::/8";
                return null;
            }

            // An IPv4-mapped range (::ffff:10.0.0.0/104) is stored as the IPv4 range it maps.
            mapped &= network.AddressFamily == AddressFamily.InterNetwork;
            var max = network.AddressFamily == AddressFamily.InterNetwork && !mapped ? 32 : 128;
            if (prefix > max || (mapped && prefix < 96))
            {
                error = $"'{text}' has a prefix length outside 0 to {max}" + (mapped ? " (at least 96 for an IPv4-mapped range)" : "");
                return null;
            }

            prefix -= mapped ? 96 : 0;
            return new HostPattern(text, null, null, network.GetAddressBytes(), prefix, network.AddressFamily);
        }

        if (!UrlHost.TryParse(Bracket(text), out var host))
        {
            error = $"'{text}' is not a valid host name or IP address";
            return null;
        }

        if (host.Address is { } address)
        {
            var bytes = address.GetAddressBytes();
            return new HostPattern(text, null, null, bytes, bytes.Length * 8, address.AddressFamily);
        }

        return new HostPattern(text, host.Name, null, null, 0, AddressFamily.Unspecified);
    }

    private static string Bracket(string text)
        => text.Contains(':', StringComparison.Ordinal) && !text.StartsWith('[') ? "[" + text + "]" : text;

    public bool Matches(UrlHost host)
    {
        if (host.Address is { } address)
        {
            return _network is not null && address.AddressFamily == _family && InRange(address.GetAddressBytes());
        }

        var name = host.Name!;
        return _name is not null
            ? string.Equals(name, _name, StringComparison.Ordinal)
            : _suffix is not null && name.Length > _suffix.Length && name.EndsWith(_suffix, StringComparison.Ordinal);
    }

    private bool InRange(byte[] bytes)
    {
        var full = _prefixLength / 8;
        if (!bytes.AsSpan(0, full).SequenceEqual(_network.AsSpan(0, full)))
        {
            return false;
        }

        var rest = _prefixLength % 8;
        if (rest == 0)
        {
            return true;
        }

        var mask = (byte)(0xFF << (8 - rest));
        return (bytes[full] & mask) == (_network![full] & mask);
    }
}
