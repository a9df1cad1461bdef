using System.Security.Claims;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Tokens;

/// <summary>The one decision shared by the call filter and the list filter: may this principal use a tool needing these scopes.</summary>
internal sealed class CallerAuthorization
{
    public CallerAuthorization(ResourceIndicator resource, bool requireAuthenticatedCaller, string? resourceMetadata)
    {
        Resource = resource;
        RequireAuthenticatedCaller = requireAuthenticatedCaller;
        ResourceMetadata = resourceMetadata;
    }

    public ResourceIndicator Resource { get; }

    public bool RequireAuthenticatedCaller { get; }

    public string? ResourceMetadata { get; }

    /// <summary>Null when allowed; otherwise the denial to return.</summary>
    public CallToolResult? Check(ClaimsPrincipal? principal, string toolName, IReadOnlyList<string> requiredScopes, string? tokenFailure)
    {
        var authenticated = principal?.Identities.Any(i => i.IsAuthenticated) == true;
        if (!authenticated)
        {
            if (RequireAuthenticatedCaller || requiredScopes.Count > 0)
            {
                return TokenDenials.InvalidToken(tokenFailure ?? "this server needs an access token issued for it, and none was presented", ResourceMetadata);
            }

            return null;
        }

        if (!TokenAudience.Contains(principal, Resource))
        {
            return TokenDenials.InvalidToken($"the access token was not issued for this server: its audience does not include '{Resource.Value}'", ResourceMetadata);
        }

        if (requiredScopes.Count > 0)
        {
            var granted = TokenScopes.Of(principal);
            foreach (var scope in requiredScopes)
            {
                if (!granted.Contains(scope))
                {
                    return TokenDenials.InsufficientScope(toolName, requiredScopes, ResourceMetadata);
                }
            }
        }

        return null;
    }
}
