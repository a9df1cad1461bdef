using System.Net;
using System.Net.Sockets;

namespace McpPolicy.Schemas.Constraints;

/// <summary>
/// Hosts a URL constraint refuses unless the policy allows private hosts or lists the host: addresses that are not on the
/// public internet (loopback, private, link-local with the cloud metadata endpoint 169.254.169.254, CGNAT, unique-local,
/// multicast, reserved, documentation, and IPv6 forms that embed such an IPv4 address), and names that resolve only inside
/// a network (<c>localhost</c>, single-label names, and private-use suffixes such as <c>.internal</c> and <c>.local</c>).
/// </summary>
internal static class NonPublicHosts
{
    private static readonly string[] PrivateSuffixes = ["localhost", "local", "localdomain", "internal", "intranet", "lan", "home", "home.arpa", "corp", "private"];

    public static bool IsNonPublic(UrlHost host)
    {
        if (host.Address is { } address)
        {
            return IsNonPublic(address);
        }

        var name = host.Name!;

        // A single-label name resolves through the machine's search domains, that is, inside its network.
        if (!name.Contains('.', StringComparison.Ordinal))
        {
            return true;
        }

        foreach (var suffix in PrivateSuffixes)
        {
            if (name == suffix || name.EndsWith("." + suffix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    public static bool IsNonPublic(IPAddress address)
    {
        address = UrlHost.Normalize(address);
        Span<byte> b = stackalloc byte[16];
        address.TryWriteBytes(b, out var length);
        return address.AddressFamily == AddressFamily.InterNetwork ? IsNonPublicV4(b[..length]) : IsNonPublicV6(b[..length]);
    }

    private static bool IsNonPublicV4(ReadOnlySpan<byte> b) => b[0] switch
    {
        0 => true,                                             // 0.0.0.0/8 "this network" (0.0.0.0 reaches the local host)
        10 => true,                                            // 10.0.0.0/8 private
        100 => b[1] >= 64 && b[1] <= 127,                      // 100.64.0.0/10 CGNAT
        127 => true,                                           // 127.0.0.0/8 loopback
        169 => b[1] == 254,                                    // 169.254.0.0/16 link-local, cloud metadata
        172 => b[1] >= 16 && b[1] <= 31,                       // 172.16.0.0/12 private
        192 => (b[1] == 0 && b[2] == 0)                        // 192.0.0.0/24 IETF protocol assignments
            || (b[1] == 0 && b[2] == 2)                        // 192.0.2.0/24 documentation
            || (b[1] == 88 && b[2] == 99)                      // 192.88.99.0/24 6to4 relay anycast
            || b[1] == 168,                                    // 192.168.0.0/16 private
        198 => b[1] == 18 || b[1] == 19                        // 198.18.0.0/15 benchmarking
            || (b[1] == 51 && b[2] == 100),                    // 198.51.100.0/24 documentation
        203 => b[1] == 0 && b[2] == 113,                       // 203.0.113.0/24 documentation
        >= 224 => true,                                        // multicast, reserved, broadcast
        _ => false,
    };

    private static bool IsNonPublicV6(ReadOnlySpan<byte> b)
    {
        // ::/96: unspecified, loopback and the deprecated IPv4-compatible form.
        if (b[..12].IndexOfAnyExcept((byte)0) < 0)
        {
            return true;
        }

        // 64:ff9b::/96 NAT64 reaches the embedded IPv4 address; 64:ff9b:1::/48 is local-use NAT64.
        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b)
        {
            return b[4..12].IndexOfAnyExcept((byte)0) >= 0 || IsNonPublicV4(b[12..]);
        }

        if (b[0] == 0x01 && b[1] == 0x00 && b[2..8].IndexOfAnyExcept((byte)0) < 0)
        {
            return true;                                       // 100::/64 discard
        }

        if (b[0] == 0x20 && b[1] == 0x01)
        {
            if (b[2] == 0x00 && b[3] == 0x00)
            {
                return true;                                   // 2001::/32 Teredo (tunnels to an address it hides)
            }

            if (b[2] == 0x0d && b[3] == 0xb8)
            {
                return true;                                   // 2001:db8::/32 documentation
            }
        }

        if (b[0] == 0x20 && b[1] == 0x02)
        {
            return IsNonPublicV4(b[2..6]);                     // 2002::/16 6to4 embeds an IPv4 address
        }

        return (b[0] & 0xfe) == 0xfc                           // fc00::/7 unique-local
            || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)         // fe80::/10 link-local
            || (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0)         // fec0::/10 site-local (deprecated)
            || b[0] == 0xff;                                   // ff00::/8 multicast
    }
}
