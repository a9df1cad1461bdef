using System.Security.Claims;
using System.Text.Json;

namespace McpPolicy.Tokens;

/// <summary>Reads the OAuth scopes granted to a caller from its claims.</summary>
public static class TokenScopes
{
    /// <summary>
    /// The scopes of the authenticated identities of <paramref name="principal"/>: the space-separated <c>scope</c> claim
    /// (RFC 9068), <c>scp</c> values (a string or a list) and ASP.NET Core's mapped scope claim. Unauthenticated identities
    /// contribute nothing.
    /// </summary>
    /// <param name="principal">The caller, or null.</param>
    /// <returns>The granted scopes (empty for none).</returns>
    public static IReadOnlySet<string> Of(ClaimsPrincipal? principal)
    {
        var scopes = new HashSet<string>(StringComparer.Ordinal);
        if (principal is null)
        {
            return scopes;
        }

        foreach (var identity in principal.Identities)
        {
            if (!identity.IsAuthenticated)
            {
                continue;
            }

            foreach (var claim in identity.Claims)
            {
                if (claim.Type is not (TokenClaimTypes.Scope or TokenClaimTypes.ScopeList or TokenClaimTypes.MappedScope))
                {
                    continue;
                }

                if (string.Equals(claim.ValueType, "JSON_ARRAY", StringComparison.Ordinal) || string.Equals(claim.ValueType, "JSON", StringComparison.Ordinal))
                {
                    AddJsonArray(scopes, claim.Value);
                }
                else
                {
                    AddSeparated(scopes, claim.Value);
                }
            }
        }

        return scopes;
    }

    private static void AddSeparated(HashSet<string> scopes, string value)
    {
        foreach (var scope in value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            scopes.Add(scope);
        }
    }

    private static void AddJsonArray(HashSet<string> scopes, string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                return;
            }

            foreach (var item in document.RootElement.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.String)
                {
                    AddSeparated(scopes, item.GetString()!);
                }
            }
        }
        catch (JsonException)
        {
            // Not a list: grants nothing.
        }
    }
}
