namespace McpPolicy.Tokens;

/// <summary>What to exchange and what for (RFC 8693 section 2.1).</summary>
public sealed class TokenExchangeRequest
{
    /// <summary>The token type URI of an OAuth access token.</summary>
    public const string AccessTokenType = "urn:ietf:params:oauth:token-type:access_token";

    /// <summary>The token to exchange, usually the one this server received. Required.</summary>
    public string SubjectToken { get; set; } = "";

    /// <summary>The type of <see cref="SubjectToken"/>. Default: <see cref="AccessTokenType"/>.</summary>
    public string SubjectTokenType { get; set; } = AccessTokenType;

    /// <summary>The downstream resource URI the new token is for (RFC 8707), such as <c>https://api.example.com</c>.</summary>
    public string? Resource { get; set; }

    /// <summary>The logical name of the downstream service, when the authorization server uses one instead of a resource URI.</summary>
    public string? Audience { get; set; }

    /// <summary>The scopes wanted on the new token; empty for the authorization server's default.</summary>
    public IList<string> Scopes { get; } = [];

    /// <summary>The token type wanted; null for the authorization server's default (usually an access token).</summary>
    public string? RequestedTokenType { get; set; }
}
