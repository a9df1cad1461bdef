using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace McpPolicy.Tokens;

/// <summary>
/// Validates JWS-compact access tokens (RFC 7515, RFC 9068) with System.Security.Cryptography only: the signature with the
/// issuer's key for the header's algorithm, then issuer, audience (this server's resource URI, RFC 8707) and lifetime.
/// </summary>
/// <remarks>
/// The header is read only to choose the algorithm and key; no claim is read before the signature verifies. Algorithm
/// confusion is ruled out by construction: RSA and EC algorithms verify only with RSA and EC keys from the key set, HMAC only
/// with the configured <see cref="AccessTokenValidationOptions.SymmetricKey"/>, and <c>none</c> never. Keys embedded in the
/// token (<c>jwk</c>, <c>jku</c>, <c>x5u</c>, <c>x5c</c>) are ignored, and the key id is only compared, never used as a path or URL.
/// </remarks>
public sealed class AccessTokenValidator
{
    /// <summary>The authentication type of the identities this validator creates.</summary>
    public const string AuthenticationType = "Bearer";

    private const int MaxHeaderBytes = 4096;
    private const int MaxKeysTried = 8;
    private static readonly JsonDocumentOptions JsonOptions = new() { MaxDepth = 16 };
    private static readonly string[] RegisteredHeaders = ["alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit"];

    private readonly AccessTokenValidationOptions _options;
    private readonly JsonWebKeySource? _keys;
    private readonly HashSet<string> _algorithms;
    private readonly byte[] _symmetricKey;
    private readonly TimeProvider _time;
    private readonly ReceivedTokens? _received;

    /// <summary>Creates a validator; the options are checked now and must not change afterwards.</summary>
    /// <param name="options">What to accept.</param>
    /// <param name="timeProvider">The clock for <c>exp</c>, <c>nbf</c> and <c>iat</c>; null for the system clock.</param>
    /// <param name="receivedTokens">Where to record accepted tokens so <see cref="TokenPassthroughGuard"/> can refuse to forward them; null for nowhere.</param>
    /// <exception cref="ArgumentException">The options are incomplete or unsafe; the message says what to change.</exception>
    public AccessTokenValidator(AccessTokenValidationOptions options, TimeProvider? timeProvider = null, ReceivedTokens? receivedTokens = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _received = receivedTokens;
        if (string.IsNullOrEmpty(options.Issuer))
        {
            throw new ArgumentException("AccessTokenValidationOptions.Issuer is required: set it to the authorization server's issuer identifier.", nameof(options));
        }

        if (!ResourceIndicator.TryParse(options.Resource, out var resource))
        {
            throw new ArgumentException($"AccessTokenValidationOptions.Resource '{options.Resource}' is not a valid resource URI: set it to this server's canonical https URI.", nameof(options));
        }

        Resource = resource;
        if (options.ClockSkew < TimeSpan.Zero || options.ClockSkew > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentException("AccessTokenValidationOptions.ClockSkew must be from zero to 10 minutes.", nameof(options));
        }

        if (options.MaxTokenLength <= 0)
        {
            throw new ArgumentException("AccessTokenValidationOptions.MaxTokenLength must be positive.", nameof(options));
        }

        _algorithms = new HashSet<string>(StringComparer.Ordinal);
        _symmetricKey = options.SymmetricKey.ToArray();
        var needsKeys = false;
        foreach (var name in options.Algorithms)
        {
            if (!JwsAlgorithm.TryGet(name, out var algorithm))
            {
                throw new ArgumentException($"'{name}' is not a supported algorithm; use {string.Join(", ", JwsAlgorithm.Names)}.", nameof(options));
            }

            if (algorithm.Family == JwsKeyFamily.Symmetric)
            {
                if (_symmetricKey.Length < algorithm.Size)
                {
                    throw new ArgumentException($"{name} needs AccessTokenValidationOptions.SymmetricKey of at least {algorithm.Size} bytes.", nameof(options));
                }
            }
            else
            {
                needsKeys = true;
            }

            _algorithms.Add(name);
        }

        if (_algorithms.Count == 0)
        {
            throw new ArgumentException("AccessTokenValidationOptions.Algorithms is empty: no token could ever be accepted.", nameof(options));
        }

        _keys = options.KeySource ?? (options.SigningKeys is { } set ? JsonWebKeySource.FromKeys(set) : null);
        if (needsKeys && _keys is null)
        {
            throw new ArgumentException("Set AccessTokenValidationOptions.SigningKeys or KeySource (the issuer's JWKS) for the RSA and EC algorithms, or remove them from Algorithms.", nameof(options));
        }
    }

    /// <summary>This server's canonical resource, which tokens must name in <c>aud</c>.</summary>
    public ResourceIndicator Resource { get; }

    /// <summary>The issuer tokens must name.</summary>
    public string Issuer => _options.Issuer;

    /// <summary>Validates one token.</summary>
    /// <param name="token">The token text (without a <c>Bearer </c> prefix).</param>
    /// <param name="cancellationToken">Cancels a key set fetch.</param>
    /// <returns>A principal, or an error with its code and message.</returns>
    public async ValueTask<TokenValidationResult> ValidateAsync(string? token, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(token))
        {
            return Fail(TokenValidationError.Missing, "no access token was presented; send one in the Authorization header as 'Bearer <token>'");
        }

        if (token.Length > _options.MaxTokenLength)
        {
            return Fail(TokenValidationError.TooLarge, $"the access token is longer than {_options.MaxTokenLength} characters");
        }

        var firstDot = token.IndexOf('.', StringComparison.Ordinal);
        var secondDot = firstDot < 0 ? -1 : token.IndexOf('.', firstDot + 1);
        if (firstDot <= 0 || secondDot < 0 || token.IndexOf('.', secondDot + 1) >= 0 || secondDot == firstDot + 1)
        {
            return Fail(TokenValidationError.Malformed, "the access token is not a JWS in compact form (header.payload.signature)");
        }

        if (firstDot > MaxHeaderBytes * 4 / 3 + 4
            || !Base64Url.TryDecode(token.AsSpan(0, firstDot), out var headerBytes)
            || !Base64Url.TryDecode(token.AsSpan(firstDot + 1, secondDot - firstDot - 1), out var payloadBytes)
            || !Base64Url.TryDecode(token.AsSpan(secondDot + 1), out var signature))
        {
            return Fail(TokenValidationError.Malformed, "a part of the access token is not strict base64url");
        }

        using var header = ParseObject(headerBytes);
        if (header is null)
        {
            return Fail(TokenValidationError.Malformed, "the access token header is not a JSON object with unique member names");
        }

        var headerResult = CheckHeader(header.RootElement, out var algorithm, out var keyId);
        if (headerResult is not null)
        {
            return headerResult;
        }

        var signingInput = Encoding.ASCII.GetBytes(token, 0, secondDot);
        var signatureResult = algorithm!.Family == JwsKeyFamily.Symmetric
            ? VerifyHmac(algorithm, signingInput, signature)
            : await VerifyAsymmetricAsync(algorithm, keyId, signingInput, signature, cancellationToken).ConfigureAwait(false);
        if (signatureResult is not null)
        {
            return signatureResult;
        }

        // Only now, with the signature verified, is anything in the payload read.
        using var payload = ParseObject(payloadBytes);
        if (payload is null)
        {
            return Fail(TokenValidationError.Malformed, "the access token payload is not a JSON object with unique member names");
        }

        var result = CheckClaims(payload.RootElement, out var expires);
        if (result is not null)
        {
            return result;
        }

        var principal = CreatePrincipal(payload.RootElement);
        _received?.Record(token, expires ?? _time.GetUtcNow().AddHours(1));
        return TokenValidationResult.Success(principal, expires);
    }

    private TokenValidationResult? CheckHeader(JsonElement header, out JwsAlgorithm? algorithm, out string? keyId)
    {
        algorithm = null;
        keyId = null;
        if (!header.TryGetProperty("alg", out var alg) || alg.ValueKind != JsonValueKind.String)
        {
            return Fail(TokenValidationError.Malformed, "the access token header has no 'alg' string");
        }

        var name = alg.GetString()!;
        if (string.Equals(name, "none", StringComparison.OrdinalIgnoreCase))
        {
            return Fail(TokenValidationError.AlgorithmNone, "unsigned tokens (alg 'none') are never accepted");
        }

        if (!_algorithms.Contains(name) || !JwsAlgorithm.TryGet(name, out var known))
        {
            return Fail(TokenValidationError.AlgorithmNotAllowed, $"the token's signing algorithm is not one of the accepted algorithms ({string.Join(", ", _algorithms)})");
        }

        algorithm = known;
        if (header.TryGetProperty("crit", out var crit))
        {
            if (crit.ValueKind != JsonValueKind.Array || crit.GetArrayLength() == 0)
            {
                return Fail(TokenValidationError.Malformed, "the access token header's 'crit' is not a non-empty array");
            }

            foreach (var item in crit.EnumerateArray())
            {
                var extension = item.ValueKind == JsonValueKind.String ? item.GetString()! : null;
                if (extension is null
                    || RegisteredHeaders.Contains(extension, StringComparer.Ordinal)
                    || !_options.UnderstoodCriticalHeaders.Contains(extension)
                    || !header.TryGetProperty(extension, out _))
                {
                    return Fail(TokenValidationError.CriticalHeaderNotUnderstood, "the token marks a header extension critical ('crit') that this server does not understand; add it to UnderstoodCriticalHeaders only if the host enforces it");
                }
            }
        }

        if (_options.RequireAccessTokenType)
        {
            var typ = header.TryGetProperty("typ", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            if (!string.Equals(typ, "at+jwt", StringComparison.OrdinalIgnoreCase) && !string.Equals(typ, "application/at+jwt", StringComparison.OrdinalIgnoreCase))
            {
                return Fail(TokenValidationError.InvalidType, "the token's 'typ' header is not 'at+jwt', so it is not an OAuth access token (RFC 9068)");
            }
        }

        if (header.TryGetProperty("kid", out var kid))
        {
            if (kid.ValueKind != JsonValueKind.String)
            {
                return Fail(TokenValidationError.Malformed, "the access token header's 'kid' is not a string");
            }

            keyId = kid.GetString();
        }

        return null;
    }

    private TokenValidationResult? VerifyHmac(JwsAlgorithm algorithm, byte[] signingInput, byte[] signature)
    {
        Span<byte> expected = stackalloc byte[64];
        var written = algorithm.Size switch
        {
            32 => HMACSHA256.HashData(_symmetricKey, signingInput, expected),
            48 => HMACSHA384.HashData(_symmetricKey, signingInput, expected),
            _ => HMACSHA512.HashData(_symmetricKey, signingInput, expected),
        };
        return signature.Length == written && CryptographicOperations.FixedTimeEquals(expected[..written], signature)
            ? null
            : Fail(TokenValidationError.InvalidSignature, "the access token's signature does not verify");
    }

    private async ValueTask<TokenValidationResult?> VerifyAsymmetricAsync(JwsAlgorithm algorithm, string? keyId, byte[] signingInput, byte[] signature, CancellationToken cancellationToken)
    {
        JsonWebKeySet keys;
        try
        {
            keys = await _keys!.GetKeysAsync(cancellationToken).ConfigureAwait(false);
            if (keyId is not null && !keys.Keys.Any(k => string.Equals(k.KeyId, keyId, StringComparison.Ordinal)))
            {
                keys = await _keys.RefreshKeysAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return Fail(TokenValidationError.KeysUnavailable, "the issuer's signing keys could not be obtained; check the JWKS address and its reachability");
        }

        var candidates = keyId is null
            ? keys.Keys
            : keys.Keys.Where(k => string.Equals(k.KeyId, keyId, StringComparison.Ordinal)).ToArray();
        if (candidates.Count == 0)
        {
            return Fail(TokenValidationError.KeyNotFound, keyId is null
                ? "the issuer's key set has no keys"
                : "no key in the issuer's key set has the token's key id ('kid')");
        }

        var tried = 0;
        foreach (var key in candidates)
        {
            if (!key.Permits(algorithm))
            {
                continue;
            }

            if (key.Verify(algorithm, signingInput, signature))
            {
                return null;
            }

            if (++tried == MaxKeysTried)
            {
                break;
            }
        }

        return tried == 0
            ? Fail(TokenValidationError.KeyTypeMismatch, $"no key the token selects can verify {algorithm.Name}: the key's type, curve, 'alg' or 'use' does not match")
            : Fail(TokenValidationError.InvalidSignature, "the access token's signature does not verify");
    }

    private TokenValidationResult? CheckClaims(JsonElement payload, out DateTimeOffset? expires)
    {
        expires = null;
        if (!payload.TryGetProperty("iss", out var iss) || iss.ValueKind != JsonValueKind.String
            || !string.Equals(iss.GetString(), _options.Issuer, StringComparison.Ordinal))
        {
            return Fail(TokenValidationError.InvalidIssuer, $"the token was not issued by '{_options.Issuer}'");
        }

        if (!AudienceMatches(payload))
        {
            return Fail(TokenValidationError.InvalidAudience, $"the token was not issued for this server: its audience ('aud') does not include '{Resource.Value}'");
        }

        var now = _time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;
        var skew = _options.ClockSkew.TotalSeconds;
        if (!TryTime(payload, "exp", out var exp) || !TryTime(payload, "nbf", out var nbf) || !TryTime(payload, "iat", out var iat))
        {
            return Fail(TokenValidationError.InvalidClaim, "'exp', 'nbf' and 'iat' must be numbers of seconds since 1970 (NumericDate)");
        }

        if (exp is null)
        {
            if (_options.RequireExpiration)
            {
                return Fail(TokenValidationError.ExpirationMissing, "the token has no expiry ('exp'), which this server requires");
            }
        }
        else
        {
            if (now > exp.Value + skew)
            {
                return Fail(TokenValidationError.Expired, "the access token has expired; obtain a new one");
            }

            expires = DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Min(exp.Value * 1000, 253402300799000));
        }

        if (nbf is not null && nbf.Value > now + skew)
        {
            return Fail(TokenValidationError.NotYetValid, "the access token is not valid yet ('nbf' is in the future)");
        }

        if (iat is not null && iat.Value > now + skew)
        {
            return Fail(TokenValidationError.IssuedInFuture, "the access token claims to be issued in the future ('iat'); check the issuer's clock");
        }

        return null;
    }

    private bool AudienceMatches(JsonElement payload)
    {
        if (!payload.TryGetProperty("aud", out var aud))
        {
            return false;
        }

        if (aud.ValueKind == JsonValueKind.String)
        {
            return Resource.Matches(aud.GetString());
        }

        if (aud.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in aud.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.String && Resource.Matches(item.GetString()))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static bool TryTime(JsonElement payload, string name, out double? value)
    {
        value = null;
        if (!payload.TryGetProperty(name, out var element))
        {
            return true;
        }

        if (element.ValueKind != JsonValueKind.Number || !element.TryGetDouble(out var seconds) || !double.IsFinite(seconds))
        {
            return false;
        }

        value = seconds;
        return true;
    }

    private ClaimsPrincipal CreatePrincipal(JsonElement payload)
    {
        var issuer = _options.Issuer;
        var claims = new List<Claim>();
        foreach (var property in payload.EnumerateObject())
        {
            var value = property.Value;
            if (value.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in value.EnumerateArray())
                {
                    AddClaim(claims, property.Name, item, issuer);
                }
            }
            else
            {
                AddClaim(claims, property.Name, value, issuer);
            }
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, AuthenticationType, TokenClaimTypes.Subject, TokenClaimTypes.Roles));
    }

    private static void AddClaim(List<Claim> claims, string type, JsonElement value, string issuer)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                claims.Add(new Claim(type, value.GetString()!, ClaimValueTypes.String, issuer));
                break;
            case JsonValueKind.Number:
                claims.Add(new Claim(type, value.GetRawText(), value.TryGetInt64(out _) ? ClaimValueTypes.Integer64 : ClaimValueTypes.Double, issuer));
                break;
            case JsonValueKind.True:
            case JsonValueKind.False:
                claims.Add(new Claim(type, value.ValueKind == JsonValueKind.True ? "true" : "false", ClaimValueTypes.Boolean, issuer));
                break;
            case JsonValueKind.Object:
            case JsonValueKind.Array:
                claims.Add(new Claim(type, value.GetRawText(), "JSON", issuer));
                break;
        }
    }

    private static JsonDocument? ParseObject(byte[] utf8)
    {
        // JsonDocument checks UTF-8 inside strings only when a string is read, and then throws: refuse invalid UTF-8 up front.
        if (!System.Text.Unicode.Utf8.IsValid(utf8))
        {
            return null;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8, JsonOptions);
        }
        catch (JsonException)
        {
            return null;
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            return null;
        }

        // Duplicate member names are read differently by different parsers (first or last wins): refuse them.
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (!names.Add(property.Name))
            {
                document.Dispose();
                return null;
            }
        }

        return document;
    }

    private static TokenValidationResult Fail(TokenValidationError error, string message)
        => TokenValidationResult.Failure(error, string.Create(CultureInfo.InvariantCulture, $"{char.ToUpperInvariant(message[0])}{message[1..]}."));
}
