using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace McpPolicy.Tokens.Tests.TestSupport;

/// <summary>Writes JWS compact tokens signed in the test, with any header and payload (including wrong ones).</summary>
internal static class Jwt
{
    public const string Issuer = "https://auth.example.com";
    public const string Resource = "https://mcp.example.com/mcp";

    /// <summary>A payload that passes every claim check at <see cref="ManualClock.Start"/>.</summary>
    public static JsonObject Claims(string scope = "files:read", long? now = null)
    {
        var t = now ?? ManualClock.Start.ToUnixTimeSeconds();
        return new JsonObject
        {
            ["iss"] = Issuer,
            ["sub"] = "user-1",
            ["aud"] = Resource,
            ["client_id"] = "client-1",
            ["scope"] = scope,
            ["iat"] = t - 10,
            ["nbf"] = t - 10,
            ["exp"] = t + 600,
        };
    }

    public static JsonObject Header(string alg, string? kid) => kid is null
        ? new JsonObject { ["alg"] = alg, ["typ"] = "at+jwt" }
        : new JsonObject { ["alg"] = alg, ["typ"] = "at+jwt", ["kid"] = kid };

    /// <summary>The default key id for an algorithm in <see cref="TestKeys.StandardJwks"/>.</summary>
    public static string? KidFor(string alg) => alg[..2] switch
    {
        "RS" or "PS" => "rsa-1",
        "HS" => null,
        _ => alg switch { "ES256" => "ec-256", "ES384" => "ec-384", _ => "ec-521" },
    };

    public static string Create(string alg, JsonObject? claims = null, JsonObject? header = null)
        => Sign(header ?? Header(alg, KidFor(alg)), claims ?? Claims(), alg);

    public static string Sign(JsonObject header, JsonNode payload, string alg, byte[]? hmacKey = null, RSA? rsa = null, ECDsa? ec = null)
        => SignRaw(header.ToJsonString(), payload.ToJsonString(), alg, hmacKey, rsa, ec);

    public static string SignRaw(string headerJson, string payloadJson, string alg, byte[]? hmacKey = null, RSA? rsa = null, ECDsa? ec = null)
    {
        var input = B64(headerJson) + "." + B64(payloadJson);
        var data = Encoding.ASCII.GetBytes(input);
        var signature = alg switch
        {
            "none" => [],
            "RS256" => (rsa ?? TestKeys.Rsa).SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            "RS384" => (rsa ?? TestKeys.Rsa).SignData(data, HashAlgorithmName.SHA384, RSASignaturePadding.Pkcs1),
            "RS512" => (rsa ?? TestKeys.Rsa).SignData(data, HashAlgorithmName.SHA512, RSASignaturePadding.Pkcs1),
            "PS256" => (rsa ?? TestKeys.Rsa).SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pss),
            "PS384" => (rsa ?? TestKeys.Rsa).SignData(data, HashAlgorithmName.SHA384, RSASignaturePadding.Pss),
            "PS512" => (rsa ?? TestKeys.Rsa).SignData(data, HashAlgorithmName.SHA512, RSASignaturePadding.Pss),
            "ES256" => (ec ?? TestKeys.P256).SignData(data, HashAlgorithmName.SHA256),
            "ES384" => (ec ?? TestKeys.P384).SignData(data, HashAlgorithmName.SHA384),
            "ES512" => (ec ?? TestKeys.P521).SignData(data, HashAlgorithmName.SHA512),
            "HS256" => HMACSHA256.HashData(hmacKey ?? TestKeys.Hmac, data),
            "HS384" => HMACSHA384.HashData(hmacKey ?? TestKeys.Hmac, data),
            "HS512" => HMACSHA512.HashData(hmacKey ?? TestKeys.Hmac, data),
            _ => throw new ArgumentException(alg),
        };
        return input + "." + Base64Url.Encode(signature);
    }

    public static string B64(string text) => Base64Url.Encode(Encoding.UTF8.GetBytes(text));

    /// <summary>Validation options accepting the standard test keys (and HMAC when <paramref name="hmac"/>).</summary>
    public static AccessTokenValidationOptions Options(bool hmac = false, string? jwks = null)
    {
        var options = new AccessTokenValidationOptions
        {
            Issuer = Issuer,
            Resource = Resource,
            SigningKeys = JsonWebKeySet.Parse(jwks ?? TestKeys.StandardJwks()),
        };
        if (hmac)
        {
            options.SymmetricKey = TestKeys.Hmac;
            options.Algorithms.Add("HS256");
            options.Algorithms.Add("HS384");
            options.Algorithms.Add("HS512");
        }

        return options;
    }
}
