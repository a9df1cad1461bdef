namespace McpPolicy.Tokens;

/// <summary>The JWT claim names McpPolicy.Tokens reads (RFC 7519, RFC 9068, RFC 8693).</summary>
public static class TokenClaimTypes
{
    /// <summary>The subject: who the token is about.</summary>
    public const string Subject = "sub";

    /// <summary>The issuer.</summary>
    public const string Issuer = "iss";

    /// <summary>The audience (resource URIs the token is for).</summary>
    public const string Audience = "aud";

    /// <summary>Granted scopes as one space-separated string (RFC 9068).</summary>
    public const string Scope = "scope";

    /// <summary>Granted scopes as a list (Microsoft Entra and others).</summary>
    public const string ScopeList = "scp";

    /// <summary>The scope claim type ASP.NET Core's JWT handler maps <c>scp</c> to by default.</summary>
    public const string MappedScope = "http://schemas.microsoft.com/identity/claims/scope";

    /// <summary>The OAuth client the token was issued to.</summary>
    public const string ClientId = "client_id";

    /// <summary>The roles of the subject (RFC 9068 section 7.2.1.1).</summary>
    public const string Roles = "roles";
}
