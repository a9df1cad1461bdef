using System.Security.Cryptography;
using System.Text.Json;

namespace McpPolicy.Tokens;

/// <summary>
/// A public signature-verification key from a JSON Web Key Set (RFC 7517): RSA or elliptic-curve. Private key material
/// is never read. Symmetric (<c>oct</c>) keys are not accepted from a key set: HMAC needs an explicitly configured key.
/// </summary>
public sealed class JsonWebKey
{
    /// <summary>The smallest RSA modulus accepted, in bits.</summary>
    public const int MinimumRsaKeySize = 2048;

    private readonly object _gate = new();
    private readonly RSA? _rsa;
    private readonly ECDsa? _ecdsa;

    private JsonWebKey(string keyType, string? keyId, string? algorithm, string? use, IReadOnlyList<string>? keyOperations, string? curve, RSA? rsa, ECDsa? ecdsa)
    {
        KeyType = keyType;
        KeyId = keyId;
        Algorithm = algorithm;
        Use = use;
        KeyOperations = keyOperations;
        Curve = curve;
        _rsa = rsa;
        _ecdsa = ecdsa;
    }

    /// <summary>The key type: <c>RSA</c> or <c>EC</c>.</summary>
    public string KeyType { get; }

    /// <summary>The key id (<c>kid</c>) a token header selects the key by, or null.</summary>
    public string? KeyId { get; }

    /// <summary>The algorithm the key is restricted to (<c>alg</c>), or null for any algorithm of its type.</summary>
    public string? Algorithm { get; }

    /// <summary>The intended use (<c>use</c>): a key whose use is not <c>sig</c> never verifies a token.</summary>
    public string? Use { get; }

    /// <summary>The permitted operations (<c>key_ops</c>): when present, it must include <c>verify</c>.</summary>
    public IReadOnlyList<string>? KeyOperations { get; }

    /// <summary>The curve of an EC key (<c>P-256</c>, <c>P-384</c> or <c>P-521</c>), else null.</summary>
    public string? Curve { get; }

    /// <summary>Creates a verification key from the public part of an RSA key.</summary>
    /// <param name="rsa">The key; only its public parameters are exported.</param>
    /// <param name="keyId">The key id, or null.</param>
    /// <param name="algorithm">An algorithm to restrict the key to (such as <c>RS256</c>), or null.</param>
    /// <returns>The key.</returns>
    /// <exception cref="ArgumentException">The modulus is smaller than <see cref="MinimumRsaKeySize"/> bits.</exception>
    public static JsonWebKey FromRsa(RSA rsa, string? keyId = null, string? algorithm = null)
    {
        ArgumentNullException.ThrowIfNull(rsa);
        var parameters = rsa.ExportParameters(includePrivateParameters: false);
        if (parameters.Modulus!.Length * 8 < MinimumRsaKeySize)
        {
            throw new ArgumentException($"The RSA key has {parameters.Modulus.Length * 8} bits; at least {MinimumRsaKeySize} are required.", nameof(rsa));
        }

        return new JsonWebKey("RSA", keyId, algorithm, null, null, null, RSA.Create(parameters), null);
    }

    /// <summary>Creates a verification key from the public part of an elliptic-curve key on P-256, P-384 or P-521.</summary>
    /// <param name="ecdsa">The key; only its public parameters are exported.</param>
    /// <param name="keyId">The key id, or null.</param>
    /// <param name="algorithm">An algorithm to restrict the key to (such as <c>ES256</c>), or null.</param>
    /// <returns>The key.</returns>
    /// <exception cref="ArgumentException">The curve is not one of the three JWS curves.</exception>
    public static JsonWebKey FromECDsa(ECDsa ecdsa, string? keyId = null, string? algorithm = null)
    {
        ArgumentNullException.ThrowIfNull(ecdsa);
        var parameters = ecdsa.ExportParameters(includePrivateParameters: false);
        var curve = CurveName(parameters.Curve)
            ?? throw new ArgumentException("The elliptic curve must be P-256, P-384 or P-521.", nameof(ecdsa));
        return new JsonWebKey("EC", keyId, algorithm, null, null, curve, null, ECDsa.Create(parameters));
    }

    /// <summary>Reads one key of a key set; returns null (the key is skipped) for key types and curves it does not support.</summary>
    internal static JsonWebKey? FromJson(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("a key is not a JSON object");
        }

        var kty = OptionalString(element, "kty") ?? throw new FormatException("a key has no 'kty'");
        var kid = OptionalString(element, "kid");
        var alg = OptionalString(element, "alg");
        var use = OptionalString(element, "use");
        List<string>? ops = null;
        if (element.TryGetProperty("key_ops", out var opsElement))
        {
            if (opsElement.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException("'key_ops' is not an array");
            }

            ops = [];
            foreach (var op in opsElement.EnumerateArray())
            {
                ops.Add(op.ValueKind == JsonValueKind.String ? op.GetString()! : throw new FormatException("'key_ops' holds a value that is not a string"));
            }
        }

        switch (kty)
        {
            case "RSA":
                var parameters = new RSAParameters
                {
                    Modulus = TrimLeadingZeros(RequiredBytes(element, "n")),
                    Exponent = RequiredBytes(element, "e"),
                };
                // An even or tiny public exponent (e = 1 makes every signature trivially forgeable) is never a real key.
                var exponent = TrimLeadingZeros(parameters.Exponent);
                if (exponent.Length > 8 || (exponent[^1] & 1) == 0 || (exponent.Length == 1 && exponent[0] < 3))
                {
                    throw new FormatException("an RSA key's exponent 'e' must be an odd number of at least 3");
                }

                if (parameters.Modulus.Length * 8 < MinimumRsaKeySize)
                {
                    // Too weak to trust: skipped like an unsupported key, so a token naming it finds no key.
                    return null;
                }

                return new JsonWebKey(kty, kid, alg, use, ops, null, RSA.Create(parameters), null);
            case "EC":
                var crv = OptionalString(element, "crv") ?? throw new FormatException("an EC key has no 'crv'");
                var curve = crv switch
                {
                    "P-256" => ECCurve.NamedCurves.nistP256,
                    "P-384" => ECCurve.NamedCurves.nistP384,
                    "P-521" => ECCurve.NamedCurves.nistP521,
                    _ => (ECCurve?)null,
                };
                if (curve is null)
                {
                    return null;
                }

                var size = crv == "P-521" ? 66 : crv == "P-384" ? 48 : 32;
                var x = RequiredBytes(element, "x");
                var y = RequiredBytes(element, "y");
                if (x.Length != size || y.Length != size)
                {
                    throw new FormatException($"an EC key on {crv} must have 'x' and 'y' of {size} bytes");
                }

                ECDsa ecdsa;
                try
                {
                    ecdsa = ECDsa.Create(new ECParameters { Curve = curve.Value, Q = new ECPoint { X = x, Y = y } });
                }
                catch (CryptographicException ex)
                {
                    throw new FormatException($"an EC key is not a point on {crv}", ex);
                }

                return new JsonWebKey(kty, kid, alg, use, ops, crv, null, ecdsa);
            default:
                return null;
        }
    }

    /// <summary>True when the key may verify <paramref name="algorithm"/>: its type, curve, <c>alg</c>, <c>use</c> and <c>key_ops</c> agree.</summary>
    internal bool Permits(JwsAlgorithm algorithm)
    {
        var typeMatches = algorithm.Family switch
        {
            JwsKeyFamily.Rsa => _rsa is not null,
            JwsKeyFamily.EllipticCurve => _ecdsa is not null && string.Equals(Curve, algorithm.Curve, StringComparison.Ordinal),
            _ => false,
        };
        return typeMatches
            && (Algorithm is null || string.Equals(Algorithm, algorithm.Name, StringComparison.Ordinal))
            && (Use is null || string.Equals(Use, "sig", StringComparison.Ordinal))
            && (KeyOperations is null || KeyOperations.Contains("verify", StringComparer.Ordinal));
    }

    internal bool Verify(JwsAlgorithm algorithm, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        // The BCL does not promise thread-safe instance members on RSA and ECDsa.
        lock (_gate)
        {
            if (algorithm.Family == JwsKeyFamily.Rsa && _rsa is not null)
            {
                return signature.Length == (_rsa.KeySize + 7) / 8 && _rsa.VerifyData(data, signature, algorithm.Hash, algorithm.Padding!);
            }

            if (algorithm.Family == JwsKeyFamily.EllipticCurve && _ecdsa is not null)
            {
                // JWS carries R || S (IEEE P1363), each half the size of the curve order.
                return signature.Length == algorithm.Size * 2
                    && _ecdsa.VerifyData(data, signature, algorithm.Hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
            }

            return false;
        }
    }

    private static string? CurveName(ECCurve curve) => curve.Oid?.Value switch
    {
        "1.2.840.10045.3.1.7" => "P-256",
        "1.3.132.0.34" => "P-384",
        "1.3.132.0.35" => "P-521",
        _ => null,
    };

    private static string? OptionalString(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw new FormatException($"'{name}' is not a string");
    }

    private static byte[] RequiredBytes(JsonElement element, string name)
    {
        var text = OptionalString(element, name) ?? throw new FormatException($"a key has no '{name}'");
        return Base64Url.TryDecode(text, out var bytes) && bytes.Length > 0
            ? bytes
            : throw new FormatException($"'{name}' is not base64url");
    }

    private static byte[] TrimLeadingZeros(byte[] value)
    {
        var start = 0;
        while (start < value.Length - 1 && value[start] == 0)
        {
            start++;
        }

        return start == 0 ? value : value[start..];
    }
}
