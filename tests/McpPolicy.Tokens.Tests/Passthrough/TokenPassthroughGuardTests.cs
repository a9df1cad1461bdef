using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using McpPolicy.Tokens.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace McpPolicy.Tokens.Tests.Passthrough;

public sealed class TokenPassthroughGuardTests
{
    private sealed class ListLogger<T> : ILogger<T>
    {
        public List<string> Messages { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => Messages.Add(formatter(state, exception));
    }

    private static (HttpClient Client, ListLogger<TokenPassthroughGuard> Log) Client(ReceivedTokens received, bool allowOpaque = false)
    {
        var ssrf = new SsrfGuardOptions { HttpsOnly = false };
        ssrf.AllowedNetworks.Add(IPNetwork.Parse("127.0.0.0/8"));
        var log = new ListLogger<TokenPassthroughGuard>();
        var guard = new TokenPassthroughGuard(received, new TokenPassthroughGuardOptions { AllowOpaqueTokens = allowOpaque }, log)
        {
            InnerHandler = SsrfSafeHttp.CreateHandler(ssrf),
        };
        return (new HttpClient(guard), log);
    }

    private static string TokenFor(string audience)
    {
        var claims = Jwt.Claims();
        claims["aud"] = audience;
        return Jwt.Create("RS256", claims);
    }

    private static HttpRequestMessage Get(Uri uri, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    [Fact]
    public async Task Inbound_token_on_an_outgoing_request_is_refused_with_an_audit_event_and_never_sent()
    {
        await using var downstream = new LoopbackHttpServer(_ => LoopbackResponse.Json("{}"));
        var received = new ReceivedTokens(new ManualClock());
        var validator = new AccessTokenValidator(Jwt.Options(), new ManualClock(), received);

        // The token names the downstream too, so only the passthrough rule can refuse it.
        var claims = Jwt.Claims();
        claims["aud"] = new JsonArray(Jwt.Resource, downstream.BaseUri.ToString());
        var inbound = Jwt.Create("RS256", claims);
        Assert.True((await validator.ValidateAsync(inbound)).IsValid);
        var (client, log) = Client(received);
        using var _ = client;
        using var request = Get(downstream.Url("/api"), inbound);

        var ex = await Assert.ThrowsAsync<TokenPassthroughException>(() => client.SendAsync(request));

        Assert.Contains("must not pass tokens through", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, downstream.Connections);
        Assert.Contains(log.Messages, m => m.Contains("passthrough", StringComparison.Ordinal) && m.Contains(downstream.BaseUri.Authority, StringComparison.Ordinal));
        Assert.DoesNotContain(log.Messages, m => m.Contains(inbound, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Token_whose_audience_is_the_destination_is_sent()
    {
        await using var downstream = new LoopbackHttpServer(_ => LoopbackResponse.Json("{}"));
        var (client, _) = Client(new ReceivedTokens());
        using var __ = client;
        var token = TokenFor(downstream.Url("/api").ToString());

        using var response = await client.SendAsync(Get(downstream.Url("/api/items/1"), token));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Bearer " + token, downstream.Requests.Single().Headers["Authorization"]);
    }

    [Theory]
    [InlineData("https://other.example.com/api")]
    [InlineData("http://127.0.0.1:1/api")]
    [InlineData("{origin}/apix")]
    [InlineData("{origin}/api/items/1/more")]
    [InlineData("not a uri")]
    public async Task Token_whose_audience_is_not_the_destination_is_refused(string audience)
    {
        await using var downstream = new LoopbackHttpServer(_ => LoopbackResponse.Json("{}"));
        var (client, log) = Client(new ReceivedTokens());
        using var _ = client;
        var token = TokenFor(audience.Replace("{origin}", downstream.BaseUri.ToString().TrimEnd('/'), StringComparison.Ordinal));

        var ex = await Assert.ThrowsAsync<TokenPassthroughException>(() => client.SendAsync(Get(downstream.Url("/api/items/1"), token)));

        Assert.Contains("audience does not name that resource", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, downstream.Connections);
        Assert.Single(log.Messages);
    }

    [Fact]
    public async Task Opaque_token_is_refused_unless_allowed_and_other_schemes_pass()
    {
        await using var downstream = new LoopbackHttpServer(_ => LoopbackResponse.Json("{}"));
        var (strict, _) = Client(new ReceivedTokens());
        var (lenient, _) = Client(new ReceivedTokens(), allowOpaque: true);
        using var a = strict;
        using var b = lenient;

        await Assert.ThrowsAsync<TokenPassthroughException>(() => strict.SendAsync(Get(downstream.Url("/"), "opaque-abc")));
        using var allowed = await lenient.SendAsync(Get(downstream.Url("/"), "opaque-abc"));
        using var basic = new HttpRequestMessage(HttpMethod.Get, downstream.Url("/"));
        basic.Headers.Authorization = new AuthenticationHeaderValue("Basic", "dXNlcjpwYXNz");
        using var notBearer = await strict.SendAsync(basic);

        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, notBearer.StatusCode);
    }

    [Fact]
    public async Task Opaque_inbound_token_is_refused_even_when_opaque_tokens_are_allowed()
    {
        await using var downstream = new LoopbackHttpServer(_ => LoopbackResponse.Json("{}"));
        var received = new ReceivedTokens();
        received.Record("opaque-inbound", DateTimeOffset.UtcNow.AddHours(1));
        var (client, _) = Client(received, allowOpaque: true);
        using var _ = client;

        await Assert.ThrowsAsync<TokenPassthroughException>(() => client.SendAsync(Get(downstream.Url("/"), "opaque-inbound")));
        Assert.Equal(0, downstream.Connections);
    }

    [Fact]
    public async Task Exchanged_token_for_the_downstream_is_sent_where_the_inbound_one_was_refused()
    {
        await using var downstream = new LoopbackHttpServer(_ => LoopbackResponse.Json("{\"items\":[]}"));
        var exchanged = TokenFor(downstream.BaseUri.ToString());
        await using var authorizationServer = new LoopbackHttpServer(_ => LoopbackResponse.Json(
            $$"""{"access_token":"{{exchanged}}","issued_token_type":"urn:ietf:params:oauth:token-type:access_token","token_type":"Bearer","expires_in":300}"""));
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(new ManualClock());
        services.AddTokenPassthroughGuard();
        using var provider = services.BuildServiceProvider();
        var received = provider.GetRequiredService<ReceivedTokens>();
        var inbound = Jwt.Create("RS256");
        received.Record(inbound, ManualClock.Start.AddMinutes(10));
        var guard = provider.GetRequiredService<TokenPassthroughGuard>();
        var ssrf = new SsrfGuardOptions { HttpsOnly = false };
        ssrf.AllowedNetworks.Add(IPNetwork.Parse("127.0.0.0/8"));
        guard.InnerHandler = SsrfSafeHttp.CreateHandler(ssrf);
        using var client = new HttpClient(guard);
        using var tokenClient = SsrfSafeHttp.CreateClient(ssrf);
        var exchanger = new HttpTokenExchanger(tokenClient, new HttpTokenExchangerOptions { TokenEndpoint = authorizationServer.Url("/token"), ClientId = "mcp-server", ClientSecret = "s3cret" });

        await Assert.ThrowsAsync<TokenPassthroughException>(() => client.SendAsync(Get(downstream.Url("/items"), inbound)));
        var result = await exchanger.ExchangeAsync(new TokenExchangeRequest { SubjectToken = inbound, Resource = downstream.BaseUri.ToString() });
        using var response = await client.SendAsync(Get(downstream.Url("/items"), result.AccessToken));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, downstream.Connections);
    }
}
