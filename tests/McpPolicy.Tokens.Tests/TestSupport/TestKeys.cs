using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace McpPolicy.Tokens.Tests.TestSupport;

/// <summary>Signing keys generated once per test run, and JWKS documents of their public parts.</summary>
internal static class TestKeys
{
    public static readonly RSA Rsa = RSA.Create(2048);
    public static readonly RSA OtherRsa = RSA.Create(2048);
    public static readonly ECDsa P256 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    public static readonly ECDsa P384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
    public static readonly ECDsa P521 = ECDsa.Create(ECCurve.NamedCurves.nistP521);
    public static readonly byte[] Hmac = RandomNumberGenerator.GetBytes(64);

    public static JsonObject RsaJwk(RSA rsa, string? kid, string? alg = null, string? use = null)
    {
        var p = rsa.ExportParameters(false);
        var jwk = new JsonObject { ["kty"] = "RSA", ["n"] = B64(p.Modulus!), ["e"] = B64(p.Exponent!) };
        Add(jwk, kid, alg, use);
        return jwk;
    }

    public static JsonObject EcJwk(ECDsa ecdsa, string? kid, string? alg = null, string? use = null)
    {
        var p = ecdsa.ExportParameters(false);
        var crv = p.Curve.Oid.FriendlyName switch
        {
            "nistP256" or "ECDSA_P256" => "P-256",
            "nistP384" or "ECDSA_P384" => "P-384",
            _ => "P-521",
        };
        var jwk = new JsonObject { ["kty"] = "EC", ["crv"] = crv, ["x"] = B64(p.Q.X!), ["y"] = B64(p.Q.Y!) };
        Add(jwk, kid, alg, use);
        return jwk;
    }

    /// <summary>The standard set: one RSA, P-256, P-384 and P-521 key, with kids rsa-1, ec-256, ec-384, ec-521.</summary>
    public static string StandardJwks() => Jwks(RsaJwk(Rsa, "rsa-1"), EcJwk(P256, "ec-256"), EcJwk(P384, "ec-384"), EcJwk(P521, "ec-521"));

    public static string Jwks(params JsonObject[] keys) => new JsonObject { ["keys"] = new JsonArray(keys) }.ToJsonString();

    public static string B64(byte[] bytes) => Base64Url.Encode(bytes);

    private static void Add(JsonObject jwk, string? kid, string? alg, string? use)
    {
        if (kid is not null)
        {
            jwk["kid"] = kid;
        }

        if (alg is not null)
        {
            jwk["alg"] = alg;
        }

        if (use is not null)
        {
            jwk["use"] = use;
        }
    }
}
