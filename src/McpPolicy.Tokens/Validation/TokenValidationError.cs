namespace McpPolicy.Tokens;

/// <summary>Why an access token was refused. Each value has its own code (<see cref="TokenValidationResult.ErrorCode"/>) and message.</summary>
public enum TokenValidationError
{
    /// <summary>The token is valid.</summary>
    None = 0,

    /// <summary><c>token_missing</c>: no token was presented.</summary>
    Missing,

    /// <summary><c>token_too_large</c>: the token is longer than the configured limit.</summary>
    TooLarge,

    /// <summary><c>token_malformed</c>: not three base64url parts, or a header or payload that is not a JSON object.</summary>
    Malformed,

    /// <summary><c>alg_none</c>: the header asks for no signature (<c>alg: none</c>), which is never accepted.</summary>
    AlgorithmNone,

    /// <summary><c>alg_not_allowed</c>: the algorithm is unknown, or not in the configured list.</summary>
    AlgorithmNotAllowed,

    /// <summary><c>crit_not_understood</c>: a <c>crit</c> header names an extension this validator does not understand.</summary>
    CriticalHeaderNotUnderstood,

    /// <summary><c>typ_invalid</c>: the <c>typ</c> header is not <c>at+jwt</c> although the configuration requires it.</summary>
    InvalidType,

    /// <summary><c>key_not_found</c>: no key of the issuer has the token's key id (after one rate-limited refresh).</summary>
    KeyNotFound,

    /// <summary><c>key_type_mismatch</c>: the selected key's type, curve, <c>alg</c> or <c>use</c> does not fit the token's algorithm.</summary>
    KeyTypeMismatch,

    /// <summary><c>keys_unavailable</c>: the issuer's key set could not be fetched.</summary>
    KeysUnavailable,

    /// <summary><c>signature_invalid</c>: the signature does not verify.</summary>
    InvalidSignature,

    /// <summary><c>issuer_invalid</c>: <c>iss</c> is missing or not exactly the configured issuer.</summary>
    InvalidIssuer,

    /// <summary><c>audience_invalid</c>: no <c>aud</c> value names this server's resource URI.</summary>
    InvalidAudience,

    /// <summary><c>token_expired</c>: <c>exp</c> is in the past (beyond the clock skew).</summary>
    Expired,

    /// <summary><c>token_not_yet_valid</c>: <c>nbf</c> is in the future (beyond the clock skew).</summary>
    NotYetValid,

    /// <summary><c>iat_in_future</c>: <c>iat</c> is in the future (beyond the clock skew).</summary>
    IssuedInFuture,

    /// <summary><c>exp_missing</c>: the token has no <c>exp</c>, which the configuration requires.</summary>
    ExpirationMissing,

    /// <summary><c>claim_invalid</c>: a registered claim has the wrong JSON type (for example a string <c>exp</c>).</summary>
    InvalidClaim,
}
