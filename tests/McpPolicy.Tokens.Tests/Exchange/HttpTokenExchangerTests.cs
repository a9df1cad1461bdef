using System.Net;
using System.Text;
using McpPolicy.Tokens.Tests.TestSupport;

namespace McpPolicy.Tokens.Tests.Exchange;

public sealed class HttpTokenExchangerTests
{
    private static HttpClient LoopbackClient()
    {
        var ssrf = new SsrfGuardOptions { HttpsOnly = false };
        ssrf.AllowedNetworks.Add(IPNetwork.Parse("127.0.0.1/32"));
        return SsrfSafeHttp.CreateClient(ssrf);
    }

    private static Dictionary<string, string> Form(string body) => body.Split('&')
        .Select(p => p.Split('='))
        .ToDictionary(p => Uri.UnescapeDataString(p[0].Replace('+', ' ')), p => Uri.UnescapeDataString(p[1].Replace('+', ' ')));

    [Fact]
    public async Task Exchange_posts_an_rfc_8693_request_with_client_authentication_and_reads_the_token()
    {
        await using var server = new LoopbackHttpServer(_ => LoopbackResponse.Json(
            """{"access_token":"downstream-token","issued_token_type":"urn:ietf:params:oauth:token-type:access_token","token_type":"Bearer","expires_in":120,"scope":"items:read"}"""));
        using var client = LoopbackClient();
        var exchanger = new HttpTokenExchanger(client, new HttpTokenExchangerOptions { TokenEndpoint = server.Url("/oauth/token"), ClientId = "mcp server", ClientSecret = "p@ss:word" });
        var request = new TokenExchangeRequest { SubjectToken = "inbound-token", Resource = "https://api.example.com", Audience = "api" };
        request.Scopes.Add("items:read");
        request.Scopes.Add("items:list");

        var result = await exchanger.ExchangeAsync(request);

        Assert.Equal("downstream-token", result.AccessToken);
        Assert.Equal("Bearer", result.TokenType);
        Assert.Equal(TimeSpan.FromSeconds(120), result.ExpiresIn);
        Assert.Equal("items:read", result.Scope);
        var sent = server.Requests.Single();
        Assert.Equal("POST", sent.Method);
        Assert.Equal("/oauth/token", sent.Path);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("mcp%20server:p%40ss%3Aword")), sent.Headers["Authorization"]);
        var form = Form(sent.Body);
        Assert.Equal(HttpTokenExchanger.GrantType, form["grant_type"]);
        Assert.Equal("inbound-token", form["subject_token"]);
        Assert.Equal(TokenExchangeRequest.AccessTokenType, form["subject_token_type"]);
        Assert.Equal("https://api.example.com", form["resource"]);
        Assert.Equal("api", form["audience"]);
        Assert.Equal("items:read items:list", form["scope"]);
        Assert.False(form.ContainsKey("client_id"));
    }

    [Fact]
    public async Task Public_client_sends_its_id_in_the_form()
    {
        await using var server = new LoopbackHttpServer(_ => LoopbackResponse.Json("""{"access_token":"t","issued_token_type":"x","token_type":"Bearer"}"""));
        using var client = LoopbackClient();
        var exchanger = new HttpTokenExchanger(client, new HttpTokenExchangerOptions { TokenEndpoint = server.Url("/token"), ClientId = "public-client" });

        var result = await exchanger.ExchangeAsync(new TokenExchangeRequest { SubjectToken = "s" });

        Assert.Null(result.ExpiresIn);
        Assert.Equal("public-client", Form(server.Requests.Single().Body)["client_id"]);
        Assert.False(server.Requests.Single().Headers.ContainsKey("Authorization"));
    }

    [Fact]
    public async Task Refusal_carries_the_oauth_error_code()
    {
        await using var server = new LoopbackHttpServer(_ => new LoopbackResponse(400, """{"error":"invalid_target","error_description":"unknown resource"}"""));
        using var client = LoopbackClient();
        var exchanger = new HttpTokenExchanger(client, new HttpTokenExchangerOptions { TokenEndpoint = server.Url("/token") });

        var ex = await Assert.ThrowsAsync<TokenExchangeException>(async () => await exchanger.ExchangeAsync(new TokenExchangeRequest { SubjectToken = "s", Resource = "https://nope.example" }));

        Assert.Equal("invalid_target", ex.Error);
        Assert.Contains("unknown resource", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(200, "not json")]
    [InlineData(200, "{\"token_type\":\"Bearer\"}")]
    [InlineData(200, "[]")]
    public async Task Unusable_answer_is_an_exchange_error(int status, string body)
    {
        await using var server = new LoopbackHttpServer(_ => new LoopbackResponse(status, body));
        using var client = LoopbackClient();
        var exchanger = new HttpTokenExchanger(client, new HttpTokenExchangerOptions { TokenEndpoint = server.Url("/token") });

        await Assert.ThrowsAsync<TokenExchangeException>(async () => await exchanger.ExchangeAsync(new TokenExchangeRequest { SubjectToken = "s" }));
    }

    [Theory]
    [InlineData("http://auth.example.com/token")]
    [InlineData(null)]
    public void Token_endpoint_must_be_https_or_loopback(string? endpoint)
    {
        using var client = new HttpClient();

        Assert.Throws<ArgumentException>(() => new HttpTokenExchanger(client, new HttpTokenExchangerOptions { TokenEndpoint = endpoint is null ? null : new Uri(endpoint) }));
    }
}
