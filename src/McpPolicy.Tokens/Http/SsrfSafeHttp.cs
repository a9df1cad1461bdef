using System.Net;
using System.Net.Sockets;

namespace McpPolicy.Tokens;

/// <summary>
/// HTTP handlers and clients that cannot be pointed at internal addresses (SSRF): for JWKS and OAuth metadata fetches, the MCP
/// SDK's <c>HttpClientTransport</c> (whose OAuth discovery uses the same client) and fetch-like tools.
/// </summary>
/// <remarks>
/// Every connection resolves its host once, refuses it when any resolved address is loopback, private (RFC 1918), link-local
/// (including 169.254.169.254), carrier-grade NAT, unique-local, IPv4-mapped or -embedding IPv6, multicast, reserved or
/// unspecified, unless <see cref="SsrfGuardOptions.AllowedNetworks"/> allows it, and then connects to a checked address, so a
/// second DNS answer cannot redirect it (DNS rebinding). Proxies are not used. Redirects are followed by the handler itself,
/// each hop's scheme checked and its connection checked again; credentials are dropped when a redirect changes origin.
/// </remarks>
public static class SsrfSafeHttp
{
    /// <summary>Creates a guarded handler.</summary>
    /// <param name="options">What requests may reach; null for the defaults (public https only).</param>
    /// <returns>The handler; dispose it (or the client that owns it) when done.</returns>
    public static HttpMessageHandler CreateHandler(SsrfGuardOptions? options = null)
    {
        options ??= new SsrfGuardOptions();
        if (options.MaxRedirects < 0)
        {
            throw new ArgumentException("SsrfGuardOptions.MaxRedirects must not be negative.", nameof(options));
        }

        ArgumentNullException.ThrowIfNull(options.Resolver);
        var connector = new SsrfConnector(options);
        var sockets = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            ConnectCallback = connector.ConnectAsync,
        };
        return new SsrfRedirectHandler(options, sockets);
    }

    /// <summary>Creates an <see cref="HttpClient"/> over a guarded handler.</summary>
    /// <param name="options">What requests may reach; null for the defaults (public https only).</param>
    /// <returns>The client, which owns its handler.</returns>
    public static HttpClient CreateClient(SsrfGuardOptions? options = null) => new(CreateHandler(options), disposeHandler: true);

    /// <summary>True when a connection to <paramref name="address"/> is allowed; otherwise <paramref name="reason"/> names its range.</summary>
    /// <param name="address">The address.</param>
    /// <param name="options">The guard settings.</param>
    /// <param name="reason">The range that makes the address refused, such as <c>loopback</c>.</param>
    /// <returns>True when allowed.</returns>
    public static bool IsAllowed(IPAddress address, SsrfGuardOptions options, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(options);
        reason = null;
        foreach (var network in options.AllowedNetworks)
        {
            if (Contains(network, address) || (address.IsIPv4MappedToIPv6 && Contains(network, address.MapToIPv4())))
            {
                return true;
            }
        }

        reason = AddressClassifier.SpecialCategory(address);
        return reason is null;
    }

    private static bool Contains(IPNetwork network, IPAddress address)
        => network.BaseAddress.AddressFamily == address.AddressFamily && network.Contains(address);

    private sealed class SsrfConnector(SsrfGuardOptions options)
    {
        public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
        {
            var uri = context.InitialRequestMessage.RequestUri;
            if (options.HttpsOnly && !string.Equals(uri?.Scheme, Uri.UriSchemeHttps, StringComparison.OrdinalIgnoreCase))
            {
                throw new BlockedDestinationException($"Refused to connect for '{uri}': only https is allowed (SsrfGuardOptions.HttpsOnly).");
            }

            var host = context.DnsEndPoint.Host;
            if (host.StartsWith('[') && host.EndsWith(']'))
            {
                host = host[1..^1];
            }

            var addresses = IPAddress.TryParse(host, out var literal)
                ? [literal]
                : await options.Resolver(host, cancellationToken).ConfigureAwait(false);
            if (addresses is null || addresses.Length == 0)
            {
                throw new BlockedDestinationException($"Refused to connect to '{host}': it resolved to no address.");
            }

            // Every answer is checked, not only the one used: a name that resolves to any internal address is refused.
            foreach (var address in addresses)
            {
                if (!IsAllowed(address, options, out var reason))
                {
                    throw new BlockedDestinationException(
                        $"Refused to connect to '{host}': it resolves to {address}, a {reason} address. If this destination is intended, add its network to SsrfGuardOptions.AllowedNetworks.");
                }
            }

            Exception? failure = null;
            foreach (var address in addresses)
            {
                var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    timeout.CancelAfter(options.ConnectTimeout);
                    await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), timeout.Token).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch (Exception ex) when (ex is SocketException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
                {
                    socket.Dispose();
                    failure = ex;
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            }

            throw new HttpRequestException($"Could not connect to '{host}' on port {context.DnsEndPoint.Port}.", failure);
        }
    }
}
