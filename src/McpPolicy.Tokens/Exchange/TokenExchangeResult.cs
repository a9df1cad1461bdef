namespace McpPolicy.Tokens;

/// <summary>A token issued by a token exchange (RFC 8693 section 2.2.1).</summary>
public sealed class TokenExchangeResult
{
    /// <summary>Creates a result.</summary>
    /// <param name="accessToken">The issued token.</param>
    /// <param name="issuedTokenType">The type of the issued token.</param>
    /// <param name="tokenType">How to use it, usually <c>Bearer</c>.</param>
    /// <param name="expiresIn">Its lifetime, when the server said.</param>
    /// <param name="scope">Its scopes, when the server said.</param>
    public TokenExchangeResult(string accessToken, string issuedTokenType, string tokenType, TimeSpan? expiresIn, string? scope)
    {
        AccessToken = accessToken;
        IssuedTokenType = issuedTokenType;
        TokenType = tokenType;
        ExpiresIn = expiresIn;
        Scope = scope;
    }

    /// <summary>The issued token.</summary>
    public string AccessToken { get; }

    /// <summary>The type of the issued token (<c>issued_token_type</c>).</summary>
    public string IssuedTokenType { get; }

    /// <summary>How to use the token (<c>token_type</c>), usually <c>Bearer</c>.</summary>
    public string TokenType { get; }

    /// <summary>The token's lifetime (<c>expires_in</c>), or null.</summary>
    public TimeSpan? ExpiresIn { get; }

    /// <summary>The token's scopes (<c>scope</c>), or null when they are the requested ones.</summary>
    public string? Scope { get; }
}
