using System.Security.Claims;
using System.Text.Json.Nodes;
using McpPolicy.Tokens.Tests.TestSupport;

namespace McpPolicy.Tokens.Tests.Validation;

public sealed class AccessTokenValidatorTests
{
    private static readonly string[] AllAlgorithms = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "HS256", "HS384", "HS512"];

    public static TheoryData<string> Algorithms => new(AllAlgorithms);

    private static AccessTokenValidator Validator(AccessTokenValidationOptions? options = null, ManualClock? clock = null, ReceivedTokens? received = null)
        => new(options ?? Jwt.Options(hmac: true), clock ?? new ManualClock(), received);

    private static async Task<TokenValidationResult> ValidateAsync(string token, AccessTokenValidationOptions? options = null, ManualClock? clock = null)
        => await Validator(options, clock).ValidateAsync(token);

    [Theory]
    [MemberData(nameof(Algorithms))]
    public async Task Token_signed_with_each_supported_algorithm_is_accepted_with_its_claims(string alg)
    {
        var result = await ValidateAsync(Jwt.Create(alg));

        Assert.True(result.IsValid, result.Message);
        Assert.Null(result.ErrorCode);
        var principal = result.Principal!;
        Assert.True(principal.Identity!.IsAuthenticated);
        Assert.Equal(AccessTokenValidator.AuthenticationType, principal.Identity.AuthenticationType);
        Assert.Equal("user-1", principal.Identity.Name);
        Assert.Equal("client-1", principal.FindFirst(TokenClaimTypes.ClientId)!.Value);
        Assert.True(TokenAudience.Contains(principal, ResourceIndicator.Parse(Jwt.Resource)));
        Assert.Equal(ManualClock.Start.AddSeconds(600), result.Expires);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public async Task Token_signed_by_another_key_of_the_same_type_is_refused(string alg)
    {
        var other = alg[..2] switch
        {
            "HS" => Jwt.Sign(Jwt.Header(alg, null), Jwt.Claims(), alg, hmacKey: new byte[64]),
            "ES" => Jwt.Sign(Jwt.Header(alg, Jwt.KidFor(alg)), Jwt.Claims(), alg, ec: System.Security.Cryptography.ECDsa.Create(alg switch
            {
                "ES256" => System.Security.Cryptography.ECCurve.NamedCurves.nistP256,
                "ES384" => System.Security.Cryptography.ECCurve.NamedCurves.nistP384,
                _ => System.Security.Cryptography.ECCurve.NamedCurves.nistP521,
            })),
            _ => Jwt.Sign(Jwt.Header(alg, "rsa-1"), Jwt.Claims(), alg, rsa: TestKeys.OtherRsa),
        };

        var result = await ValidateAsync(other);

        Assert.Equal(TokenValidationError.InvalidSignature, result.Error);
        Assert.Equal("signature_invalid", result.ErrorCode);
        Assert.Null(result.Principal);
    }

    [Fact]
    public async Task Hmac_is_refused_unless_configured_even_with_a_correct_signature()
    {
        var result = await ValidateAsync(Jwt.Create("HS256"), Jwt.Options(hmac: false));

        Assert.Equal(TokenValidationError.AlgorithmNotAllowed, result.Error);
    }

    public static TheoryData<string, string, TokenValidationError> AttackCases()
    {
        var data = new TheoryData<string, string, TokenValidationError>();
        var claims = Jwt.Claims();
        var publicKeyDer = TestKeys.Rsa.ExportSubjectPublicKeyInfo();
        var publicKeyPem = System.Text.Encoding.ASCII.GetBytes(TestKeys.Rsa.ExportSubjectPublicKeyInfoPem());
        var jwksJson = System.Text.Encoding.UTF8.GetBytes(TestKeys.StandardJwks());

        // Algorithm confusion: an HMAC token keyed with the RSA public key (as DER, PEM or the JWKS text) the attacker knows.
        data.Add("alg confusion RS->HS, public key DER as secret", Jwt.Sign(Jwt.Header("HS256", "rsa-1"), claims, "HS256", hmacKey: publicKeyDer), TokenValidationError.AlgorithmNotAllowed);
        data.Add("alg confusion RS->HS, public key PEM as secret", Jwt.Sign(Jwt.Header("HS256", "rsa-1"), claims, "HS256", hmacKey: publicKeyPem), TokenValidationError.AlgorithmNotAllowed);
        data.Add("alg confusion RS->HS, JWKS text as secret", Jwt.Sign(Jwt.Header("HS512", null), claims, "HS512", hmacKey: jwksJson), TokenValidationError.AlgorithmNotAllowed);

        // Unsigned tokens in every spelling, with and without a signature part.
        foreach (var none in new[] { "none", "None", "NONE", "nOnE" })
        {
            data.Add($"alg {none}", Jwt.Sign(new JsonObject { ["alg"] = none }, claims, "none"), TokenValidationError.AlgorithmNone);
        }

        data.Add("alg none with a copied RS256 signature", Jwt.Sign(new JsonObject { ["alg"] = "none" }, claims, "none") + Jwt.Create("RS256").Split('.')[2], TokenValidationError.AlgorithmNone);

        var valid = Jwt.Create("RS256");
        var parts = valid.Split('.');
        data.Add("stripped signature", parts[0] + "." + parts[1] + ".", TokenValidationError.InvalidSignature);
        data.Add("signature part missing", parts[0] + "." + parts[1], TokenValidationError.Malformed);
        data.Add("four parts", valid + ".AAAA", TokenValidationError.Malformed);
        data.Add("empty header", "." + parts[1] + "." + parts[2], TokenValidationError.Malformed);
        data.Add("padding in base64url", parts[0] + "." + parts[1] + "." + parts[2] + "==", TokenValidationError.Malformed);
        data.Add("standard base64 alphabet", parts[0] + "." + parts[1] + "." + parts[2].Replace('-', '+').Replace('_', '/') + (parts[2].Contains('-') || parts[2].Contains('_') ? "" : "+"), TokenValidationError.Malformed);
        data.Add("payload swapped under a valid signature", parts[0] + "." + Jwt.B64(Jwt.Claims(scope: "admin").ToJsonString()) + "." + parts[2], TokenValidationError.InvalidSignature);
        data.Add("header not JSON", Jwt.B64("not json") + "." + parts[1] + "." + parts[2], TokenValidationError.Malformed);
        data.Add("header is an array", Jwt.SignRaw("[\"RS256\"]", claims.ToJsonString(), "RS256"), TokenValidationError.Malformed);
        data.Add("duplicate alg member", Jwt.SignRaw("{\"alg\":\"RS256\",\"kid\":\"rsa-1\",\"alg\":\"none\"}", claims.ToJsonString(), "RS256"), TokenValidationError.Malformed);
        data.Add("duplicate aud member in payload", Jwt.SignRaw(Jwt.Header("RS256", "rsa-1").ToJsonString(), "{\"iss\":\"" + Jwt.Issuer + "\",\"aud\":\"https://evil.example\",\"aud\":\"" + Jwt.Resource + "\",\"exp\":" + (ManualClock.Start.ToUnixTimeSeconds() + 60) + "}", "RS256"), TokenValidationError.Malformed);
        data.Add("payload is an array", Jwt.Sign(Jwt.Header("RS256", "rsa-1"), new JsonArray(1, 2), "RS256"), TokenValidationError.Malformed);
        data.Add("alg missing", Jwt.Sign(new JsonObject { ["kid"] = "rsa-1" }, claims, "RS256"), TokenValidationError.Malformed);
        data.Add("alg not a string", Jwt.SignRaw("{\"alg\":256,\"kid\":\"rsa-1\"}", claims.ToJsonString(), "RS256"), TokenValidationError.Malformed);
        data.Add("unknown alg", Jwt.Sign(new JsonObject { ["alg"] = "RS1" }, claims, "RS256"), TokenValidationError.AlgorithmNotAllowed);
        data.Add("alg in lower case", Jwt.Sign(new JsonObject { ["alg"] = "rs256", ["kid"] = "rsa-1" }, claims, "RS256"), TokenValidationError.AlgorithmNotAllowed);

        // Key selection.
        data.Add("kid path injection", Jwt.Sign(Jwt.Header("RS256", "../../../../../dev/null"), claims, "RS256"), TokenValidationError.KeyNotFound);
        data.Add("kid URL injection", Jwt.Sign(Jwt.Header("RS256", "http://127.0.0.1:9/jwks.json"), claims, "RS256"), TokenValidationError.KeyNotFound);
        data.Add("kid SQL injection", Jwt.Sign(Jwt.Header("RS256", "x' UNION SELECT 'secret"), claims, "RS256"), TokenValidationError.KeyNotFound);
        data.Add("kid not a string", Jwt.SignRaw("{\"alg\":\"RS256\",\"kid\":1}", claims.ToJsonString(), "RS256"), TokenValidationError.Malformed);
        data.Add("kid of an EC key on an RS256 token", Jwt.Sign(Jwt.Header("RS256", "ec-256"), claims, "RS256"), TokenValidationError.KeyTypeMismatch);
        data.Add("kid of an RSA key on an ES256 token", Jwt.Sign(Jwt.Header("ES256", "rsa-1"), claims, "ES256"), TokenValidationError.KeyTypeMismatch);
        data.Add("kid of a P-384 key on an ES256 token", Jwt.Sign(Jwt.Header("ES256", "ec-384"), claims, "ES256", ec: TestKeys.P384), TokenValidationError.KeyTypeMismatch);
        var attacker = System.Security.Cryptography.RSA.Create(2048);
        var embedded = Jwt.Header("RS256", null);
        embedded["jwk"] = TestKeys.RsaJwk(attacker, null);
        data.Add("embedded jwk header with the attacker's key", Jwt.Sign(embedded, claims, "RS256", rsa: attacker), TokenValidationError.InvalidSignature);
        var jku = Jwt.Header("RS256", "attacker");
        jku["jku"] = "http://127.0.0.1:9/attacker-jwks.json";
        data.Add("jku header pointing elsewhere", Jwt.Sign(jku, claims, "RS256", rsa: attacker), TokenValidationError.KeyNotFound);

        // crit (RFC 7515 section 4.1.11).
        data.Add("unknown crit", Jwt.Sign(new JsonObject { ["alg"] = "RS256", ["kid"] = "rsa-1", ["crit"] = new JsonArray("exp"), ["exp"] = 1 }, claims, "RS256"), TokenValidationError.CriticalHeaderNotUnderstood);
        data.Add("crit naming a registered header", Jwt.Sign(new JsonObject { ["alg"] = "RS256", ["kid"] = "rsa-1", ["crit"] = new JsonArray("alg") }, claims, "RS256"), TokenValidationError.CriticalHeaderNotUnderstood);
        data.Add("crit empty", Jwt.Sign(new JsonObject { ["alg"] = "RS256", ["kid"] = "rsa-1", ["crit"] = new JsonArray() }, claims, "RS256"), TokenValidationError.Malformed);
        data.Add("crit not an array", Jwt.Sign(new JsonObject { ["alg"] = "RS256", ["kid"] = "rsa-1", ["crit"] = "b64" }, claims, "RS256"), TokenValidationError.Malformed);

        // Size.
        var huge = Jwt.Claims();
        huge["pad"] = new string('x', 20_000);
        data.Add("oversized token", Jwt.Create("RS256", huge), TokenValidationError.TooLarge);
        data.Add("empty token", "", TokenValidationError.Missing);

        // Claims.
        data.Add("wrong issuer", Jwt.Create("RS256", With(claims, "iss", "https://evil.example.com")), TokenValidationError.InvalidIssuer);
        data.Add("issuer with a trailing slash", Jwt.Create("RS256", With(claims, "iss", Jwt.Issuer + "/")), TokenValidationError.InvalidIssuer);
        data.Add("issuer in another case", Jwt.Create("RS256", With(claims, "iss", Jwt.Issuer.ToUpperInvariant())), TokenValidationError.InvalidIssuer);
        data.Add("issuer missing", Jwt.Create("RS256", Without(claims, "iss")), TokenValidationError.InvalidIssuer);
        data.Add("issuer an array", Jwt.Create("RS256", With(claims, "iss", new JsonArray(Jwt.Issuer))), TokenValidationError.InvalidIssuer);
        data.Add("audience of another server", Jwt.Create("RS256", With(claims, "aud", "https://other.example.com/mcp")), TokenValidationError.InvalidAudience);
        data.Add("audience a path prefix", Jwt.Create("RS256", With(claims, "aud", "https://mcp.example.com")), TokenValidationError.InvalidAudience);
        data.Add("audience a path extension", Jwt.Create("RS256", With(claims, "aud", Jwt.Resource + "/admin")), TokenValidationError.InvalidAudience);
        data.Add("audience over http", Jwt.Create("RS256", With(claims, "aud", "http://mcp.example.com/mcp")), TokenValidationError.InvalidAudience);
        data.Add("audience missing", Jwt.Create("RS256", Without(claims, "aud")), TokenValidationError.InvalidAudience);
        data.Add("audience list without this server", Jwt.Create("RS256", With(claims, "aud", new JsonArray("https://a.example", "https://b.example"))), TokenValidationError.InvalidAudience);
        data.Add("audience a number", Jwt.Create("RS256", With(claims, "aud", 1)), TokenValidationError.InvalidAudience);
        var now = ManualClock.Start.ToUnixTimeSeconds();
        data.Add("expired beyond the skew", Jwt.Create("RS256", With(claims, "exp", now - 61)), TokenValidationError.Expired);
        data.Add("not valid before beyond the skew", Jwt.Create("RS256", With(claims, "nbf", now + 61)), TokenValidationError.NotYetValid);
        data.Add("issued in the future beyond the skew", Jwt.Create("RS256", With(claims, "iat", now + 61)), TokenValidationError.IssuedInFuture);
        data.Add("no expiry", Jwt.Create("RS256", Without(claims, "exp")), TokenValidationError.ExpirationMissing);
        data.Add("expiry as a string", Jwt.Create("RS256", With(claims, "exp", (now + 60).ToString(System.Globalization.CultureInfo.InvariantCulture))), TokenValidationError.InvalidClaim);
        data.Add("nbf as a boolean", Jwt.Create("RS256", With(claims, "nbf", true)), TokenValidationError.InvalidClaim);
        return data;
    }

    [Theory]
    [MemberData(nameof(AttackCases))]
    public async Task Attack_token_is_refused_with_its_own_error(string attack, string token, TokenValidationError expected)
    {
        var result = await ValidateAsync(token, Jwt.Options(hmac: false));

        Assert.False(result.IsValid, attack);
        Assert.Equal(expected, result.Error);
        Assert.Null(result.Principal);
        Assert.False(string.IsNullOrWhiteSpace(result.Message));
        Assert.Equal(TokenValidationResult.CodeOf(expected), result.ErrorCode);
    }

    [Fact]
    public async Task Header_with_invalid_utf8_inside_a_string_is_malformed_rather_than_an_exception()
    {
        // Found by the tamper property: JsonDocument checks UTF-8 in strings only when one is read, and then throws.
        var header = System.Text.Encoding.UTF8.GetBytes("{\"alg\":\"RS256\",\"kid\":\"").Concat(new byte[] { 0xF5 }).Concat(System.Text.Encoding.UTF8.GetBytes("\"}")).ToArray();
        var token = Base64Url.Encode(header) + "." + Jwt.B64(Jwt.Claims().ToJsonString()) + ".AAAA";

        var result = await ValidateAsync(token);

        Assert.Equal(TokenValidationError.Malformed, result.Error);
    }

    [Fact]
    public async Task Alg_confusion_is_refused_even_when_hmac_is_allowed_with_another_secret()
    {
        var token = Jwt.Sign(Jwt.Header("HS256", "rsa-1"), Jwt.Claims(), "HS256", hmacKey: TestKeys.Rsa.ExportSubjectPublicKeyInfo());

        var result = await ValidateAsync(token, Jwt.Options(hmac: true));

        Assert.Equal(TokenValidationError.InvalidSignature, result.Error);
    }

    [Fact]
    public async Task Every_error_code_is_distinct()
    {
        var codes = Enum.GetValues<TokenValidationError>().Select(TokenValidationResult.CodeOf).ToList();

        Assert.Equal(codes.Count, codes.Distinct(StringComparer.Ordinal).Count());
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Audience_list_naming_this_server_in_another_spelling_is_accepted()
    {
        var claims = With(Jwt.Claims(), "aud", new JsonArray("https://other.example", "HTTPS://MCP.example.com:443/mcp/"));

        var result = await ValidateAsync(Jwt.Create("ES256", claims));

        Assert.True(result.IsValid, result.Message);
    }

    [Fact]
    public async Task Times_within_the_clock_skew_are_accepted_and_the_skew_is_configurable()
    {
        var now = ManualClock.Start.ToUnixTimeSeconds();
        var claims = With(With(With(Jwt.Claims(), "exp", now - 59), "nbf", now + 59), "iat", now + 59);

        Assert.True((await ValidateAsync(Jwt.Create("RS256", claims))).IsValid);

        var strict = Jwt.Options();
        strict.ClockSkew = TimeSpan.Zero;
        Assert.Equal(TokenValidationError.Expired, (await ValidateAsync(Jwt.Create("RS256", claims), strict)).Error);
    }

    [Fact]
    public async Task Expiry_follows_the_time_provider()
    {
        var clock = new ManualClock();
        var validator = Validator(clock: clock);
        var token = Jwt.Create("RS256");

        Assert.True((await validator.ValidateAsync(token)).IsValid);
        clock.Advance(TimeSpan.FromSeconds(600 + 60));
        Assert.True((await validator.ValidateAsync(token)).IsValid);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(TokenValidationError.Expired, (await validator.ValidateAsync(token)).Error);
    }

    [Fact]
    public async Task Missing_expiry_is_accepted_only_when_not_required()
    {
        var options = Jwt.Options();
        options.RequireExpiration = false;

        var result = await ValidateAsync(Jwt.Create("RS256", Without(Jwt.Claims(), "exp")), options);

        Assert.True(result.IsValid, result.Message);
        Assert.Null(result.Expires);
    }

    [Theory]
    [InlineData("at+jwt", true)]
    [InlineData("application/at+jwt", true)]
    [InlineData("AT+JWT", true)]
    [InlineData("JWT", false)]
    [InlineData(null, false)]
    public async Task Access_token_type_is_enforced_when_required(string? typ, bool accepted)
    {
        var options = Jwt.Options();
        options.RequireAccessTokenType = true;
        var header = new JsonObject { ["alg"] = "RS256", ["kid"] = "rsa-1" };
        if (typ is not null)
        {
            header["typ"] = typ;
        }

        var result = await ValidateAsync(Jwt.Sign(header, Jwt.Claims(), "RS256"), options);

        Assert.Equal(accepted ? TokenValidationError.None : TokenValidationError.InvalidType, result.Error);
        Assert.True((await ValidateAsync(Jwt.Sign(header, Jwt.Claims(), "RS256"))).IsValid, "typ is not checked unless required");
    }

    [Fact]
    public async Task Critical_header_is_accepted_only_when_understood_and_present()
    {
        var options = Jwt.Options();
        options.UnderstoodCriticalHeaders.Add("https://example.com/bound");
        var present = new JsonObject { ["alg"] = "RS256", ["kid"] = "rsa-1", ["crit"] = new JsonArray("https://example.com/bound"), ["https://example.com/bound"] = true };
        var absent = new JsonObject { ["alg"] = "RS256", ["kid"] = "rsa-1", ["crit"] = new JsonArray("https://example.com/bound") };

        Assert.True((await ValidateAsync(Jwt.Sign(present, Jwt.Claims(), "RS256"), options)).IsValid);
        Assert.Equal(TokenValidationError.CriticalHeaderNotUnderstood, (await ValidateAsync(Jwt.Sign(absent, Jwt.Claims(), "RS256"), options)).Error);
        Assert.Equal(TokenValidationError.CriticalHeaderNotUnderstood, (await ValidateAsync(Jwt.Sign(present, Jwt.Claims(), "RS256"))).Error);
    }

    [Fact]
    public async Task Token_without_kid_is_verified_against_the_keys_of_its_type()
    {
        var result = await ValidateAsync(Jwt.Sign(new JsonObject { ["alg"] = "ES384" }, Jwt.Claims(), "ES384"));

        Assert.True(result.IsValid, result.Message);
    }

    [Theory]
    [InlineData("RS384", null, "RS256")]
    [InlineData(null, "enc", "RS256")]
    public async Task Key_restricted_to_another_algorithm_or_use_does_not_verify(string? keyAlg, string? use, string alg)
    {
        var options = Jwt.Options(jwks: TestKeys.Jwks(TestKeys.RsaJwk(TestKeys.Rsa, "rsa-1", keyAlg, use)));

        var result = await ValidateAsync(Jwt.Create(alg), options);

        Assert.Equal(TokenValidationError.KeyTypeMismatch, result.Error);
    }

    [Fact]
    public async Task Claims_become_claims_of_the_principal_with_arrays_split()
    {
        var claims = Jwt.Claims();
        claims["roles"] = new JsonArray("admin", "dev");
        claims["scp"] = new JsonArray("a", "b");
        claims["cnf"] = new JsonObject { ["jkt"] = "x" };

        var principal = (await ValidateAsync(Jwt.Create("RS256", claims))).Principal!;

        Assert.True(principal.IsInRole("admin"));
        Assert.True(principal.IsInRole("dev"));
        Assert.Equal(["a", "b", "files:read"], TokenScopes.Of(principal).Order(StringComparer.Ordinal));
        Assert.Equal("JSON", principal.FindFirst("cnf")!.ValueType);
        Assert.Equal(ClaimValueTypes.Integer64, principal.FindFirst("exp")!.ValueType);
        Assert.All(principal.Claims, c => Assert.Equal(Jwt.Issuer, c.Issuer));
    }

    [Fact]
    public async Task Accepted_token_is_recorded_for_the_passthrough_guard_and_refused_one_is_not()
    {
        var received = new ReceivedTokens(new ManualClock());
        var validator = Validator(received: received);
        var good = Jwt.Create("RS256");
        var bad = Jwt.Create("RS256", With(Jwt.Claims(), "aud", "https://other.example"));

        await validator.ValidateAsync(good);
        await validator.ValidateAsync(bad);

        Assert.True(received.Contains(good));
        Assert.False(received.Contains(bad));
    }

    public static TheoryData<string, Action<AccessTokenValidationOptions>> UnsafeOptions => new()
    {
        { "no issuer", o => o.Issuer = "" },
        { "resource not a URI", o => o.Resource = "mcp" },
        { "resource over plain http", o => o.Resource = "http://mcp.example.com" },
        { "none in the list", o => o.Algorithms.Add("none") },
        { "unknown algorithm", o => o.Algorithms.Add("RS1") },
        { "HS256 without a key", o => o.Algorithms.Add("HS256") },
        { "HS512 with a 32-byte key", o => { o.Algorithms.Add("HS512"); o.SymmetricKey = new byte[32]; } },
        { "no keys for RSA", o => o.SigningKeys = null },
        { "no algorithms", o => o.Algorithms.Clear() },
        { "negative skew", o => o.ClockSkew = TimeSpan.FromSeconds(-1) },
        { "zero size limit", o => o.MaxTokenLength = 0 },
    };

    [Theory]
    [MemberData(nameof(UnsafeOptions))]
    public void Incomplete_or_unsafe_options_are_refused_at_construction(string what, Action<AccessTokenValidationOptions> change)
    {
        var options = Jwt.Options();
        change(options);

        var ex = Assert.Throws<ArgumentException>(() => new AccessTokenValidator(options));
        Assert.False(string.IsNullOrEmpty(ex.Message), what);
    }

    private static JsonObject With(JsonObject claims, string name, JsonNode? value)
    {
        var copy = (JsonObject)claims.DeepClone();
        copy[name] = value;
        return copy;
    }

    private static JsonObject Without(JsonObject claims, string name)
    {
        var copy = (JsonObject)claims.DeepClone();
        copy.Remove(name);
        return copy;
    }
}
