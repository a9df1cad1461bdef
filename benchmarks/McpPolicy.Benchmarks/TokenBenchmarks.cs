using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using McpPolicy.Tokens;

namespace McpPolicy.Benchmarks;

/// <summary>
/// Access-token validation per algorithm (signature, issuer, audience, lifetime, principal) with configured keys, a refused
/// token (wrong audience, so the signature is verified first), and the per-call scope check on a validated principal.
/// </summary>
[MemoryDiagnoser]
public class TokenBenchmarks
{
    private const string Issuer = "https://auth.example.com";
    private const string Resource = "https://mcp.example.com/mcp";

    private static readonly RSA Rsa = RSA.Create(2048);
    private static readonly ECDsa P256 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private static readonly byte[] Hmac = RandomNumberGenerator.GetBytes(32);

    private AccessTokenValidator _validator = null!;
    private string _token = "";
    private string _wrongAudience = "";
    private ClaimsPrincipal _principal = null!;
    private ReceivedTokens _received = null!;

    [Params("RS256", "PS256", "ES256", "HS256")]
    public string Algorithm { get; set; } = "RS256";

    [GlobalSetup]
    public void Setup()
    {
        var options = new AccessTokenValidationOptions
        {
            Issuer = Issuer,
            Resource = Resource,
            SigningKeys = new JsonWebKeySet([JsonWebKey.FromRsa(Rsa, "rsa"), JsonWebKey.FromECDsa(P256, "ec")]),
            SymmetricKey = Hmac,
        };
        options.Algorithms.Add("HS256");
        _received = new ReceivedTokens();
        _validator = new AccessTokenValidator(options, receivedTokens: _received);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var claims = new JsonObject { ["iss"] = Issuer, ["aud"] = Resource, ["sub"] = "user-1", ["client_id"] = "client-1", ["scope"] = "files:read files:write", ["iat"] = now, ["exp"] = now + 3600 };
        _token = Sign(claims);
        claims["aud"] = "https://other.example.com";
        _wrongAudience = Sign(claims);
        var result = _validator.ValidateAsync(_token).AsTask().GetAwaiter().GetResult();
        if (!result.IsValid || _validator.ValidateAsync(_wrongAudience).AsTask().GetAwaiter().GetResult().IsValid)
        {
            throw new InvalidOperationException($"{Algorithm}: the token must validate and the wrong-audience one must not ({result.Message})");
        }

        _principal = result.Principal!;
    }

    /// <summary>A valid token, end to end: parse, verify, claims, principal.</summary>
    [Benchmark]
    public bool Validate() => _validator.ValidateAsync(_token).AsTask().GetAwaiter().GetResult().IsValid;

    /// <summary>A correctly signed token for another audience: the signature is verified before any claim is read.</summary>
    [Benchmark]
    public bool ValidateWrongAudience() => _validator.ValidateAsync(_wrongAudience).AsTask().GetAwaiter().GetResult().IsValid;

    /// <summary>What the call filter does per call once the principal exists: audience and two scopes.</summary>
    [Benchmark]
    public bool ScopeCheck() => TokenAudience.Contains(_principal, _validator.Resource) && TokenScopes.Of(_principal).Contains("files:write");

    /// <summary>What the passthrough guard does per outgoing request: a fingerprint lookup.</summary>
    [Benchmark]
    public bool PassthroughLookup() => _received.Contains(_token);

    private string Sign(JsonObject claims)
    {
        var kid = Algorithm[0] == 'E' ? "ec" : "rsa";
        var header = Algorithm[0] == 'H' ? new JsonObject { ["alg"] = Algorithm } : new JsonObject { ["alg"] = Algorithm, ["kid"] = kid };
        var input = Base64Url.Encode(Encoding.UTF8.GetBytes(header.ToJsonString())) + "." + Base64Url.Encode(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        var data = Encoding.ASCII.GetBytes(input);
        var signature = Algorithm switch
        {
            "RS256" => Rsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            "PS256" => Rsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pss),
            "ES256" => P256.SignData(data, HashAlgorithmName.SHA256),
            _ => HMACSHA256.HashData(Hmac, data),
        };
        return input + "." + Base64Url.Encode(signature);
    }
}
