using System.Net;
using McpPolicy.Tokens.Tests.TestSupport;
using ModelContextProtocol.Authentication;
using ModelContextProtocol.Client;

namespace McpPolicy.Tokens.Tests.Http;

public sealed class OAuthDiscoveryTests
{
    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data/iam/security-credentials/")]
    [InlineData("http://10.0.0.5/.well-known/oauth-protected-resource")]
    public async Task Malicious_401_pointing_discovery_at_an_internal_address_is_refused(string metadata)
    {
        // An MCP server (on loopback, allowlisted for the test) whose 401 sends the client's OAuth discovery to an internal address.
        await using var server = new LoopbackHttpServer(_ => new LoopbackResponse(401, "{}")
        {
            Headers = [("WWW-Authenticate", $"Bearer resource_metadata=\"{metadata}\"")],
        });
        var guard = new SsrfGuardOptions { HttpsOnly = false };
        guard.AllowedNetworks.Add(IPNetwork.Parse("127.0.0.1/32"));
        using var http = SsrfSafeHttp.CreateClient(guard);
        var transport = new HttpClientTransport(
            new HttpClientTransportOptions
            {
                Endpoint = server.Url("/mcp"),
                TransportMode = HttpTransportMode.StreamableHttp,
                OAuth = new ClientOAuthOptions { ClientId = "test-client", RedirectUri = new Uri("http://localhost:1/callback") },
            },
            http,
            loggerFactory: null,
            ownsHttpClient: false);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var ex = await Assert.ThrowsAnyAsync<Exception>(() => McpClient.CreateAsync(transport, cancellationToken: timeout.Token));

        var blocked = Flatten(ex).OfType<BlockedDestinationException>().FirstOrDefault();
        Assert.True(blocked is not null, "expected the guard to refuse discovery, got: " + ex);
        Assert.Contains(new Uri(metadata).Host, blocked.Message, StringComparison.Ordinal);
        Assert.All(server.Requests, r => Assert.StartsWith("/mcp", r.Path, StringComparison.Ordinal));
    }

    private static IEnumerable<Exception> Flatten(Exception? ex)
    {
        while (ex is not null)
        {
            yield return ex;
            if (ex is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Flatten))
                {
                    yield return inner;
                }
            }

            ex = ex.InnerException;
        }
    }
}
