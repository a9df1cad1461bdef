using System.Net;

namespace McpPolicy.Tokens;

/// <summary>What the <see cref="SsrfSafeHttp"/> handler lets requests reach.</summary>
public sealed class SsrfGuardOptions
{
    /// <summary>
    /// Networks reachable although special-purpose (loopback, private, link-local...), such as <c>10.20.0.0/16</c> for an
    /// internal authorization server. Default: none. Allowlisting is by address, never by host name, so DNS cannot widen it.
    /// </summary>
    public IList<IPNetwork> AllowedNetworks { get; } = [];

    /// <summary>Whether only <c>https</c> may be requested, including on every redirect. Default: true.</summary>
    public bool HttpsOnly { get; set; } = true;

    /// <summary>The most redirects followed for one request; 0 follows none (the 3xx response is returned). Default: 5.</summary>
    public int MaxRedirects { get; set; } = 5;

    /// <summary>How long a connection attempt may take. Default: 10 seconds.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Resolves a host name to addresses. Default: <see cref="Dns.GetHostAddressesAsync(string, CancellationToken)"/>. Tests
    /// and hosts with their own resolver replace it; whatever it answers is checked, and the connection goes to a checked address.
    /// </summary>
    public Func<string, CancellationToken, ValueTask<IPAddress[]>> Resolver { get; set; } = static async (host, ct) => await Dns.GetHostAddressesAsync(host, ct).ConfigureAwait(false);
}
