using System.Security.Cryptography;

namespace McpPolicy.Tokens;

/// <summary>The JWS algorithms McpPolicy.Tokens verifies (RFC 7518 section 3), and the key each one needs.</summary>
internal sealed class JwsAlgorithm
{
    private static readonly Dictionary<string, JwsAlgorithm> ByName = new(StringComparer.Ordinal)
    {
        ["RS256"] = new("RS256", JwsKeyFamily.Rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1, null, 32),
        ["RS384"] = new("RS384", JwsKeyFamily.Rsa, HashAlgorithmName.SHA384, RSASignaturePadding.Pkcs1, null, 48),
        ["RS512"] = new("RS512", JwsKeyFamily.Rsa, HashAlgorithmName.SHA512, RSASignaturePadding.Pkcs1, null, 64),
        ["PS256"] = new("PS256", JwsKeyFamily.Rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pss, null, 32),
        ["PS384"] = new("PS384", JwsKeyFamily.Rsa, HashAlgorithmName.SHA384, RSASignaturePadding.Pss, null, 48),
        ["PS512"] = new("PS512", JwsKeyFamily.Rsa, HashAlgorithmName.SHA512, RSASignaturePadding.Pss, null, 64),
        ["ES256"] = new("ES256", JwsKeyFamily.EllipticCurve, HashAlgorithmName.SHA256, null, "P-256", 32),
        ["ES384"] = new("ES384", JwsKeyFamily.EllipticCurve, HashAlgorithmName.SHA384, null, "P-384", 48),
        ["ES512"] = new("ES512", JwsKeyFamily.EllipticCurve, HashAlgorithmName.SHA512, null, "P-521", 66),
        ["HS256"] = new("HS256", JwsKeyFamily.Symmetric, HashAlgorithmName.SHA256, null, null, 32),
        ["HS384"] = new("HS384", JwsKeyFamily.Symmetric, HashAlgorithmName.SHA384, null, null, 48),
        ["HS512"] = new("HS512", JwsKeyFamily.Symmetric, HashAlgorithmName.SHA512, null, null, 64),
    };

    private JwsAlgorithm(string name, JwsKeyFamily family, HashAlgorithmName hash, RSASignaturePadding? padding, string? curve, int size)
    {
        Name = name;
        Family = family;
        Hash = hash;
        Padding = padding;
        Curve = curve;
        Size = size;
    }

    /// <summary>Every algorithm name this type knows.</summary>
    public static IEnumerable<string> Names => ByName.Keys;

    public string Name { get; }

    public JwsKeyFamily Family { get; }

    public HashAlgorithmName Hash { get; }

    public RSASignaturePadding? Padding { get; }

    /// <summary>The JWK curve name an EC algorithm requires.</summary>
    public string? Curve { get; }

    /// <summary>The hash size in bytes (for HMAC, the minimum key size); for EC, the size of each signature half.</summary>
    public int Size { get; }

    public static bool TryGet(string name, out JwsAlgorithm algorithm) => ByName.TryGetValue(name, out algorithm!);
}

/// <summary>The key family an algorithm needs.</summary>
internal enum JwsKeyFamily
{
    Rsa,
    EllipticCurve,
    Symmetric,
}
