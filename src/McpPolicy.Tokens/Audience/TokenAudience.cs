using System.Security.Claims;
using System.Text.Json;

namespace McpPolicy.Tokens;

/// <summary>Checks the audience of a validated access token against the resource it is presented to (RFC 8707, RFC 9068).</summary>
public static class TokenAudience
{
    /// <summary>The JWT audience claim type.</summary>
    public const string ClaimType = "aud";

    private const string JsonArrayValueType = "JSON_ARRAY";

    /// <summary>
    /// True when an <c>aud</c> claim of an authenticated identity of <paramref name="principal"/> names
    /// <paramref name="resource"/>. Claims of unauthenticated identities are ignored, since nothing vouches for them.
    /// </summary>
    /// <param name="principal">The caller, as the token handler produced it; null means no token.</param>
    /// <param name="resource">This server's canonical resource.</param>
    /// <returns>True when the token was issued for this resource.</returns>
    /// <remarks>
    /// An audience array appears either as one claim per value or as one claim whose value type is <c>JSON_ARRAY</c>;
    /// both are understood. Each value must canonicalize to exactly <paramref name="resource"/>.
    /// </remarks>
    public static bool Contains(ClaimsPrincipal? principal, ResourceIndicator resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        if (principal is null)
        {
            return false;
        }

        foreach (var identity in principal.Identities)
        {
            if (!identity.IsAuthenticated)
            {
                continue;
            }

            foreach (var claim in identity.FindAll(ClaimType))
            {
                if (string.Equals(claim.ValueType, JsonArrayValueType, StringComparison.Ordinal)
                    ? ArrayContains(claim.Value, resource)
                    : resource.Matches(claim.Value))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static bool ArrayContains(string json, ResourceIndicator resource)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                return false;
            }

            foreach (var item in document.RootElement.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.String && resource.Matches(item.GetString()))
                {
                    return true;
                }
            }

            return false;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
