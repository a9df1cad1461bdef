using System.Security.Claims;
using System.Text.Json.Nodes;

namespace McpPolicy.Chains;

/// <summary>
/// Decides which conversation a call belongs to, since the MCP protocol (2026-07-28) has no session id: the host's explicit
/// scope first, then a trace id in the request's <c>_meta</c>, then the caller's identity (principal and client).
/// </summary>
public static class ConversationIdentity
{
    /// <summary>The conversation of calls with no scope, trace id or principal.</summary>
    public const string Default = "default";

    /// <summary>The W3C trace context key in a request's <c>_meta</c>.</summary>
    public const string TraceParentMetaKey = "traceparent";

    /// <summary>The longest id taken from a request.</summary>
    public const int MaxLength = 256;

    /// <summary>
    /// The conversation of a call: <see cref="ToolInvocationContext.ConversationId"/> (the host's scope, or what the MCP
    /// integration read from <c>_meta</c>, see <see cref="FromMeta"/>); else <c>principal:&lt;subject&gt;|client:&lt;client id&gt;</c>
    /// from the authenticated caller; else <see cref="Default"/>.
    /// </summary>
    /// <param name="context">The call.</param>
    /// <returns>The conversation id.</returns>
    public static string Resolve(ToolInvocationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!string.IsNullOrEmpty(context.ConversationId))
        {
            return context.ConversationId;
        }

        return FromPrincipal(context.Principal) ?? Default;
    }

    /// <summary>
    /// The conversation named in a request's <c>_meta</c>: <c>io.mcppolicy/conversationId</c>, else the trace id of a W3C
    /// <c>traceparent</c> (as <c>trace:&lt;trace id&gt;</c>); null when neither is there. Plug it into the server integration with
    /// <c>options.ConversationIdResolver = r =&gt; ConversationIdentity.FromMeta(r.Params?.Meta)</c>.
    /// </summary>
    /// <param name="meta">The request's <c>_meta</c> object.</param>
    /// <returns>The conversation id, or null.</returns>
    /// <remarks>The values are client-supplied: they scope history, they do not authorize anything.</remarks>
    public static string? FromMeta(JsonObject? meta)
    {
        if (meta is null)
        {
            return null;
        }

        if (meta.TryGetPropertyValue(McpPolicyMetaKeys.ConversationId, out var node)
            && node is JsonValue value && value.TryGetValue<string>(out var id) && id.Length is > 0 and <= MaxLength)
        {
            return id;
        }

        if (meta.TryGetPropertyValue(TraceParentMetaKey, out node)
            && node is JsonValue trace && trace.TryGetValue<string>(out var traceParent)
            && TraceIdOf(traceParent) is { } traceId)
        {
            return "trace:" + traceId;
        }

        return null;
    }

    /// <summary>The conversation of an authenticated caller: its subject and client, or null without a subject.</summary>
    /// <param name="principal">The caller.</param>
    /// <returns>The conversation id, or null.</returns>
    public static string? FromPrincipal(ClaimsPrincipal? principal)
    {
        if (principal is null)
        {
            return null;
        }

        var subject = principal.FindFirst("sub")?.Value ?? principal.FindFirst(ClaimTypes.NameIdentifier)?.Value ?? principal.Identity?.Name;
        if (string.IsNullOrEmpty(subject))
        {
            return null;
        }

        var client = principal.FindFirst("client_id")?.Value ?? principal.FindFirst("azp")?.Value ?? "";
        return "principal:" + subject + "|client:" + client;
    }

    /// <summary>The 32-hex-digit trace id of a <c>traceparent</c> value (<c>00-&lt;trace id&gt;-&lt;parent id&gt;-&lt;flags&gt;</c>), or null when malformed or all zero.</summary>
    private static string? TraceIdOf(string traceParent)
    {
        var parts = traceParent.Split('-');
        if (parts.Length < 4 || parts[0].Length != 2 || parts[1].Length != 32 || !parts[1].All(char.IsAsciiHexDigitLower) || parts[1].All(c => c == '0'))
        {
            return null;
        }

        return parts[1];
    }
}
