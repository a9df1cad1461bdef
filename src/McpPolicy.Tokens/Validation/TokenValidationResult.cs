using System.Security.Claims;

namespace McpPolicy.Tokens;

/// <summary>The outcome of validating one access token: a principal, or an error with its code and message.</summary>
public sealed class TokenValidationResult
{
    private TokenValidationResult(ClaimsPrincipal? principal, TokenValidationError error, string? message, DateTimeOffset? expires)
    {
        Principal = principal;
        Error = error;
        Message = message;
        Expires = expires;
    }

    /// <summary>True when the token is valid.</summary>
    public bool IsValid => Error == TokenValidationError.None;

    /// <summary>The caller, built from the verified claims; null when the token is invalid.</summary>
    public ClaimsPrincipal? Principal { get; }

    /// <summary>Why the token was refused; <see cref="TokenValidationError.None"/> when valid.</summary>
    public TokenValidationError Error { get; }

    /// <summary>The stable snake_case code of <see cref="Error"/>, such as <c>token_expired</c>; null when valid.</summary>
    public string? ErrorCode => IsValid ? null : CodeOf(Error);

    /// <summary>One sentence saying what is wrong and how to fix it; null when valid. Never quotes unverified token content.</summary>
    public string? Message { get; }

    /// <summary>When a valid token expires (its <c>exp</c>), or null when it has none.</summary>
    public DateTimeOffset? Expires { get; }

    /// <summary>The stable code of an error, as <see cref="ErrorCode"/> reports it.</summary>
    /// <param name="error">The error.</param>
    /// <returns>The code.</returns>
    public static string CodeOf(TokenValidationError error) => error switch
    {
        TokenValidationError.None => "none",
        TokenValidationError.Missing => "token_missing",
        TokenValidationError.TooLarge => "token_too_large",
        TokenValidationError.Malformed => "token_malformed",
        TokenValidationError.AlgorithmNone => "alg_none",
        TokenValidationError.AlgorithmNotAllowed => "alg_not_allowed",
        TokenValidationError.CriticalHeaderNotUnderstood => "crit_not_understood",
        TokenValidationError.InvalidType => "typ_invalid",
        TokenValidationError.KeyNotFound => "key_not_found",
        TokenValidationError.KeyTypeMismatch => "key_type_mismatch",
        TokenValidationError.KeysUnavailable => "keys_unavailable",
        TokenValidationError.InvalidSignature => "signature_invalid",
        TokenValidationError.InvalidIssuer => "issuer_invalid",
        TokenValidationError.InvalidAudience => "audience_invalid",
        TokenValidationError.Expired => "token_expired",
        TokenValidationError.NotYetValid => "token_not_yet_valid",
        TokenValidationError.IssuedInFuture => "iat_in_future",
        TokenValidationError.ExpirationMissing => "exp_missing",
        TokenValidationError.InvalidClaim => "claim_invalid",
        _ => "token_invalid",
    };

    internal static TokenValidationResult Success(ClaimsPrincipal principal, DateTimeOffset? expires) => new(principal, TokenValidationError.None, null, expires);

    internal static TokenValidationResult Failure(TokenValidationError error, string message) => new(null, error, message, null);
}
