using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Tokens;

/// <summary>
/// The error results a caller gets when its token does not authorize a tool call: <c>insufficient_scope</c> (carrying the
/// required scopes, for step-up) and <c>invalid_token</c>. Both are McpPolicy denials (<see cref="Denials.IsDenial"/>).
/// </summary>
public static class TokenDenials
{
    /// <summary>The rule id (and OAuth error code) of a call whose token lacks a required scope.</summary>
    public const string InsufficientScopeRuleId = "insufficient_scope";

    /// <summary>The rule id (and OAuth error code) of a call without a valid token for this server.</summary>
    public const string InvalidTokenRuleId = "invalid_token";

    /// <summary>The <c>_meta</c> key holding the scopes the tool requires, as an array of strings.</summary>
    public const string RequiredScopesMetaKey = "io.mcppolicy/requiredScopes";

    /// <summary>The <c>_meta</c> key holding the matching <c>WWW-Authenticate</c> challenge (see <see cref="BearerChallenge"/>).</summary>
    public const string ChallengeMetaKey = "io.mcppolicy/wwwAuthenticate";

    /// <summary>An <c>insufficient_scope</c> error result naming the scopes the tool requires.</summary>
    /// <param name="toolName">The tool called.</param>
    /// <param name="requiredScopes">Every scope the tool requires (not only the missing ones), so a step-up asks for all of them.</param>
    /// <param name="resourceMetadata">The protected resource metadata URL for the challenge, or null.</param>
    /// <returns>The error result.</returns>
    public static CallToolResult InsufficientScope(string toolName, IReadOnlyCollection<string> requiredScopes, string? resourceMetadata = null)
    {
        ArgumentNullException.ThrowIfNull(toolName);
        ArgumentNullException.ThrowIfNull(requiredScopes);
        var scopes = string.Join(' ', requiredScopes);
        var result = Denials.Create(
            InsufficientScopeRuleId,
            $"calling '{toolName}' needs the scopes '{scopes}', which the access token does not grant; authorize them (step-up) and retry");
        var meta = result.Meta!;
        meta[RequiredScopesMetaKey] = new JsonArray([.. requiredScopes.Select(s => JsonValue.Create(s))]);
        meta[ChallengeMetaKey] = BearerChallenge.InsufficientScope(requiredScopes, resourceMetadata);
        return result;
    }

    /// <summary>An <c>invalid_token</c> error result.</summary>
    /// <param name="message">What is wrong with the token, safe to show (it never quotes the token).</param>
    /// <param name="resourceMetadata">The protected resource metadata URL for the challenge, or null.</param>
    /// <returns>The error result.</returns>
    public static CallToolResult InvalidToken(string message, string? resourceMetadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(message);
        var result = Denials.Create(InvalidTokenRuleId, message.TrimEnd('.'));
        result.Meta![ChallengeMetaKey] = BearerChallenge.InvalidToken(null, resourceMetadata);
        return result;
    }

    /// <summary>
    /// The <c>WWW-Authenticate</c> challenge for a denial made by this class, so an HTTP host can answer with 401 or 403 and the header.
    /// </summary>
    /// <param name="result">A tool result.</param>
    /// <param name="challenge">The header value.</param>
    /// <returns>True when <paramref name="result"/> is a token denial.</returns>
    public static bool TryGetChallenge(CallToolResult result, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? challenge)
    {
        ArgumentNullException.ThrowIfNull(result);
        challenge = null;
        if (Denials.IsDenial(result) && result.Meta!.TryGetPropertyValue(ChallengeMetaKey, out var node) && node is JsonValue value && value.TryGetValue<string>(out var text))
        {
            challenge = text;
            return true;
        }

        return false;
    }

    /// <summary>The scopes an <c>insufficient_scope</c> result asks for.</summary>
    /// <param name="result">A tool result.</param>
    /// <returns>The required scopes, or empty when the result is not an <c>insufficient_scope</c> denial.</returns>
    public static IReadOnlyList<string> RequiredScopesOf(CallToolResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (!Denials.IsDenial(result) || !result.Meta!.TryGetPropertyValue(RequiredScopesMetaKey, out var node) || node is not JsonArray array)
        {
            return [];
        }

        return [.. array.OfType<JsonValue>().Select(v => v.TryGetValue<string>(out var s) ? s : null).OfType<string>()];
    }
}
