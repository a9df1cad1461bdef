using System.Net;
using System.Text.Json.Nodes;
using McpPolicy.Tokens.Tests.TestSupport;

namespace McpPolicy.Tokens.Tests.Validation;

public sealed class HttpJsonWebKeySourceTests
{
    private static HttpClient LoopbackClient()
    {
        var options = new SsrfGuardOptions { HttpsOnly = false };
        options.AllowedNetworks.Add(IPNetwork.Parse("127.0.0.1/32"));
        return SsrfSafeHttp.CreateClient(options);
    }

    private sealed class Issuer : IAsyncDisposable
    {
        public Issuer()
        {
            Server = new LoopbackHttpServer(_ => Status == 200 ? LoopbackResponse.Json(Jwks) : new LoopbackResponse(Status, "{}"));
        }

        public LoopbackHttpServer Server { get; }

        public string Jwks { get; set; } = TestKeys.Jwks(TestKeys.RsaJwk(TestKeys.Rsa, "rsa-1"));

        public int Status { get; set; } = 200;

        public int Fetches => Server.Requests.Count;

        public ValueTask DisposeAsync() => Server.DisposeAsync();
    }

    private static (AccessTokenValidator Validator, HttpJsonWebKeySource Source) Create(Issuer issuer, HttpClient client, ManualClock clock)
    {
        var source = new HttpJsonWebKeySource(issuer.Server.Url("/jwks.json"), client, new HttpJsonWebKeySourceOptions
        {
            CacheDuration = TimeSpan.FromHours(1),
            MinRefreshInterval = TimeSpan.FromMinutes(5),
        }, clock);
        var options = new AccessTokenValidationOptions { Issuer = Jwt.Issuer, Resource = Jwt.Resource, KeySource = source };
        return (new AccessTokenValidator(options, clock), source);
    }

    private static string Token(string kid, System.Security.Cryptography.RSA? rsa = null, long? now = null)
        => Jwt.Sign(Jwt.Header("RS256", kid), Jwt.Claims(now: now), "RS256", rsa: rsa);

    [Fact]
    public async Task Keys_are_fetched_once_and_cached_until_they_expire()
    {
        await using var issuer = new Issuer();
        using var client = LoopbackClient();
        var clock = new ManualClock();
        var (validator, source) = Create(issuer, client, clock);
        using var _ = source;

        Assert.True((await validator.ValidateAsync(Token("rsa-1"))).IsValid);
        Assert.True((await validator.ValidateAsync(Token("rsa-1"))).IsValid);
        Assert.Equal(1, issuer.Fetches);

        clock.Advance(TimeSpan.FromHours(1));
        Assert.True((await validator.ValidateAsync(Token("rsa-1", now: clock.UnixSeconds))).IsValid);
        Assert.Equal(2, issuer.Fetches);
        Assert.Equal("GET", issuer.Server.Requests.First().Method);
        Assert.Equal("/jwks.json", issuer.Server.Requests.First().Path);
    }

    [Fact]
    public async Task Unknown_kid_refreshes_at_most_once_per_interval_and_a_rotated_key_is_picked_up()
    {
        await using var issuer = new Issuer();
        using var client = LoopbackClient();
        var clock = new ManualClock();
        var (validator, source) = Create(issuer, client, clock);
        using var _ = source;
        Assert.True((await validator.ValidateAsync(Token("rsa-1"))).IsValid);

        // A flood of made-up key ids right after a fetch causes no fetch at all (the interval counts from the last fetch).
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(TokenValidationError.KeyNotFound, (await validator.ValidateAsync(Token("made-up-" + i))).Error);
        }

        Assert.Equal(1, issuer.Fetches);

        // After the interval, one unknown key id causes one refresh, and the next flood none.
        clock.Advance(TimeSpan.FromMinutes(5));
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(TokenValidationError.KeyNotFound, (await validator.ValidateAsync(Token("made-up-" + i, now: clock.UnixSeconds))).Error);
        }

        Assert.Equal(2, issuer.Fetches);

        // The issuer rotates in a new key: tokens naming it work once the rate limit allows the next refresh.
        issuer.Jwks = TestKeys.Jwks(TestKeys.RsaJwk(TestKeys.Rsa, "rsa-1"), TestKeys.RsaJwk(TestKeys.OtherRsa, "rsa-2"));
        Assert.Equal(TokenValidationError.KeyNotFound, (await validator.ValidateAsync(Token("rsa-2", TestKeys.OtherRsa, clock.UnixSeconds))).Error);
        clock.Advance(TimeSpan.FromMinutes(5));
        Assert.True((await validator.ValidateAsync(Token("rsa-2", TestKeys.OtherRsa, clock.UnixSeconds))).IsValid);
        Assert.Equal(3, issuer.Fetches);
    }

    [Fact]
    public async Task Kid_that_looks_like_a_url_or_path_is_never_fetched()
    {
        await using var issuer = new Issuer();
        await using var attacker = new LoopbackHttpServer(_ => LoopbackResponse.Json(TestKeys.Jwks(TestKeys.RsaJwk(TestKeys.OtherRsa, "x"))));
        using var client = LoopbackClient();
        var (validator, source) = Create(issuer, client, new ManualClock());
        using var _ = source;
        var header = Jwt.Header("RS256", attacker.Url("/jwks.json").ToString());
        header["jku"] = attacker.Url("/jwks.json").ToString();
        header["x5u"] = attacker.Url("/cert.pem").ToString();

        var result = await validator.ValidateAsync(Jwt.Sign(header, Jwt.Claims(), "RS256", rsa: TestKeys.OtherRsa));

        Assert.Equal(TokenValidationError.KeyNotFound, result.Error);
        Assert.Equal(0, attacker.Connections);
        Assert.All(issuer.Server.Requests, r => Assert.Equal("/jwks.json", r.Path));
    }

    [Theory]
    [InlineData(500, null)]
    [InlineData(200, "not json")]
    [InlineData(200, "{\"keys\":{}}")]
    public async Task Unusable_key_set_without_a_previous_one_fails_with_keys_unavailable(int status, string? body)
    {
        await using var issuer = new Issuer { Status = status };
        if (body is not null)
        {
            issuer.Jwks = body;
        }

        using var client = LoopbackClient();
        var (validator, source) = Create(issuer, client, new ManualClock());
        using var _ = source;

        var result = await validator.ValidateAsync(Token("rsa-1"));

        Assert.Equal(TokenValidationError.KeysUnavailable, result.Error);
    }

    [Fact]
    public async Task Oversized_key_set_is_refused()
    {
        await using var issuer = new Issuer { Jwks = "{\"keys\":[],\"pad\":\"" + new string('x', JsonWebKeySet.MaxDocumentBytes) + "\"}" };
        using var client = LoopbackClient();
        var (validator, source) = Create(issuer, client, new ManualClock());
        using var _ = source;

        Assert.Equal(TokenValidationError.KeysUnavailable, (await validator.ValidateAsync(Token("rsa-1"))).Error);
    }

    [Fact]
    public async Task Failed_refresh_keeps_the_last_good_keys()
    {
        await using var issuer = new Issuer();
        using var client = LoopbackClient();
        var clock = new ManualClock();
        var (validator, source) = Create(issuer, client, clock);
        using var _ = source;
        Assert.True((await validator.ValidateAsync(Token("rsa-1"))).IsValid);

        issuer.Status = 503;
        clock.Advance(TimeSpan.FromHours(2));

        Assert.True((await validator.ValidateAsync(Token("rsa-1", now: clock.UnixSeconds))).IsValid);
        Assert.Equal(2, issuer.Fetches);
    }

    [Fact]
    public async Task Jwks_address_on_an_internal_network_is_refused_by_the_guarded_client()
    {
        await using var issuer = new Issuer();
        using var client = SsrfSafeHttp.CreateClient(new SsrfGuardOptions { HttpsOnly = false });
        var (validator, source) = Create(issuer, client, new ManualClock());
        using var _ = source;

        Assert.Equal(TokenValidationError.KeysUnavailable, (await validator.ValidateAsync(Token("rsa-1"))).Error);
        Assert.Equal(0, issuer.Server.Connections);
    }

    [Theory]
    [InlineData("http://auth.example.com/jwks")]
    [InlineData("ftp://127.0.0.1/jwks")]
    public void Jwks_address_must_be_https_or_loopback_http(string address)
    {
        using var client = new HttpClient();

        Assert.Throws<ArgumentException>(() => new HttpJsonWebKeySource(new Uri(address), client));
    }
}

public sealed class JsonWebKeySetTests
{
    [Fact]
    public void Unsupported_symmetric_and_weak_keys_are_left_out()
    {
        using var weak = System.Security.Cryptography.RSA.Create(1024);
        var oct = new JsonObject { ["kty"] = "oct", ["k"] = "c2VjcmV0", ["kid"] = "hmac" };
        var okp = new JsonObject { ["kty"] = "OKP", ["crv"] = "Ed25519", ["x"] = "AAAA", ["kid"] = "ed" };
        var k1 = new JsonObject { ["kty"] = "EC", ["crv"] = "secp256k1", ["x"] = "AAAA", ["y"] = "AAAA", ["kid"] = "k1" };

        var set = JsonWebKeySet.Parse(TestKeys.Jwks(oct, okp, k1, TestKeys.RsaJwk(weak, "weak"), TestKeys.RsaJwk(TestKeys.Rsa, "rsa-1"), TestKeys.EcJwk(TestKeys.P256, "ec-256")));

        Assert.Equal(["rsa-1", "ec-256"], set.Keys.Select(k => k.KeyId));
        Assert.Equal(["RSA", "EC"], set.Keys.Select(k => k.KeyType));
        Assert.Equal("P-256", set.Keys[1].Curve);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("{}")]
    [InlineData("{\"keys\":\"x\"}")]
    [InlineData("{\"keys\":[1]}")]
    [InlineData("{\"keys\":[{\"kid\":\"no-kty\"}]}")]
    [InlineData("{\"keys\":[{\"kty\":\"RSA\",\"e\":\"AQAB\"}]}")]
    [InlineData("{\"keys\":[{\"kty\":\"RSA\",\"n\":\"a+b/\",\"e\":\"AQAB\"}]}")]
    [InlineData("{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AAAA\",\"y\":\"AAAA\"}]}")]
    [InlineData("not json")]
    [InlineData("{\"keys\":[{\"kty\":\"RSA\",\"n\":\"{n}\",\"e\":\"AQ\"}]}")]
    [InlineData("{\"keys\":[{\"kty\":\"RSA\",\"n\":\"{n}\",\"e\":\"AAE\"}]}")]
    [InlineData("{\"keys\":[{\"kty\":\"RSA\",\"n\":\"{n}\",\"e\":\"AQAA\"}]}")]
    public void Malformed_key_set_is_a_format_error(string json)
    {
        var modulus = (string)TestKeys.RsaJwk(TestKeys.Rsa, null)["n"]!;

        Assert.Throws<FormatException>(() => JsonWebKeySet.Parse(json.Replace("{n}", modulus, StringComparison.Ordinal)));
    }

    [Fact]
    public void Ec_point_not_on_the_curve_is_a_format_error()
    {
        var jwk = TestKeys.EcJwk(TestKeys.P256, "ec");
        var y = Base64UrlDecode((string)jwk["y"]!);
        y[^1] ^= 1;
        jwk["y"] = Base64Url.Encode(y);

        Assert.Throws<FormatException>(() => JsonWebKeySet.Parse(TestKeys.Jwks(jwk)));
    }

    [Fact]
    public async Task Keys_built_in_code_verify_tokens()
    {
        var options = new AccessTokenValidationOptions
        {
            Issuer = Jwt.Issuer,
            Resource = Jwt.Resource,
            SigningKeys = new JsonWebKeySet([JsonWebKey.FromRsa(TestKeys.Rsa, "rsa-1"), JsonWebKey.FromECDsa(TestKeys.P256, "ec-256", "ES256")]),
        };
        var validator = new AccessTokenValidator(options, new ManualClock());

        Assert.True((await validator.ValidateAsync(Jwt.Create("PS256"))).IsValid);
        Assert.True((await validator.ValidateAsync(Jwt.Create("ES256"))).IsValid);
        using var weak = System.Security.Cryptography.RSA.Create(1024);
        Assert.Throws<ArgumentException>(() => JsonWebKey.FromRsa(weak));
    }

    private static byte[] Base64UrlDecode(string text) => Base64Url.TryDecode(text, out var bytes) ? bytes : throw new FormatException();
}
