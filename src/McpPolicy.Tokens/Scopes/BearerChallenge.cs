using System.Text;

namespace McpPolicy.Tokens;

/// <summary>Builds <c>WWW-Authenticate: Bearer ...</c> challenges (RFC 6750 section 3) for HTTP hosts, including the MCP step-up challenge.</summary>
public static class BearerChallenge
{
    /// <summary>
    /// <c>Bearer error="insufficient_scope", scope="..."</c>: the token is valid but lacks scopes; the client should ask the user
    /// to authorize <paramref name="scopes"/> and retry (step-up).
    /// </summary>
    /// <param name="scopes">The scopes the request needs.</param>
    /// <param name="resourceMetadata">The protected resource metadata URL (RFC 9728), or null.</param>
    /// <param name="description">A human-readable explanation, or null.</param>
    /// <returns>The header value.</returns>
    public static string InsufficientScope(IEnumerable<string> scopes, string? resourceMetadata = null, string? description = null)
    {
        ArgumentNullException.ThrowIfNull(scopes);
        var list = scopes.ToArray();
        foreach (var scope in list)
        {
            if (!ScopeToken.IsValid(scope))
            {
                throw new ArgumentException($"'{scope}' is not an OAuth scope token.", nameof(scopes));
            }
        }

        return Build("insufficient_scope", string.Join(' ', list), resourceMetadata, description);
    }

    /// <summary><c>Bearer error="invalid_token"</c>: the token is missing, expired, revoked or not for this server.</summary>
    /// <param name="description">A human-readable explanation, or null.</param>
    /// <param name="resourceMetadata">The protected resource metadata URL (RFC 9728), or null.</param>
    /// <returns>The header value.</returns>
    public static string InvalidToken(string? description = null, string? resourceMetadata = null)
        => Build("invalid_token", null, resourceMetadata, description);

    /// <summary>A bare <c>Bearer</c> challenge for a request without a token (RFC 6750 section 3.1: no error code).</summary>
    /// <param name="resourceMetadata">The protected resource metadata URL (RFC 9728), or null.</param>
    /// <returns>The header value.</returns>
    public static string Unauthenticated(string? resourceMetadata = null) => Build(null, null, resourceMetadata, null);

    private static string Build(string? error, string? scope, string? resourceMetadata, string? description)
    {
        var builder = new StringBuilder("Bearer");
        var first = true;
        void Add(string name, string value)
        {
            builder.Append(first ? " " : ", ").Append(name).Append("=\"").Append(Quote(value)).Append('"');
            first = false;
        }

        if (resourceMetadata is not null)
        {
            Add("resource_metadata", resourceMetadata);
        }

        if (error is not null)
        {
            Add("error", error);
        }

        if (!string.IsNullOrEmpty(scope))
        {
            Add("scope", scope);
        }

        if (!string.IsNullOrEmpty(description))
        {
            Add("error_description", description);
        }

        return builder.ToString();
    }

    /// <summary>Keeps a value inside its quoted string: RFC 6750 allows printable ASCII except '"' and '\' there.</summary>
    private static string Quote(string value)
    {
        var builder = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            builder.Append(c is < ' ' or > '~' or '"' or '\\' ? '\'' : c);
        }

        return builder.ToString();
    }
}
