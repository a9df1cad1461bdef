using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpPolicy;

/// <summary>Settings of the McpPolicy gate inside an MCP server (<c>IMcpServerBuilder.WithPolicy</c>).</summary>
public sealed class McpPolicyServerOptions
{
    /// <summary>The longest conversation id the default resolver accepts; longer ids are ignored.</summary>
    public const int MaxConversationIdLength = 256;

    /// <summary>
    /// The server id the policy sees for this server's tools: policy patterns match <c>ServerId/toolName</c>.
    /// Must be non-empty and must not contain '/'. Default: <c>server</c>.
    /// </summary>
    public string ServerId { get; set; } = "server";

    /// <summary>
    /// Reads the conversation a call belongs to from the request. Default: <see cref="ConversationIdFromMeta"/>, the string
    /// in the request's <c>_meta["io.mcppolicy/conversationId"]</c>. The value is client-supplied: use it to scope
    /// history, not to authorize.
    /// </summary>
    public Func<RequestContext<CallToolRequestParams>, string?> ConversationIdResolver { get; set; } = ConversationIdFromMeta;

    /// <summary>
    /// Whether the policy believes the annotation hints (<c>ReadOnly</c>, <c>Destructive</c>, ...) of this server's own tools.
    /// Default: true, because the hints come from the same code as the policy attributes; a server that re-exposes tools
    /// from elsewhere should set it to false. A <c>servers</c> entry for <see cref="ServerId"/> in the policy takes precedence.
    /// </summary>
    public bool TrustToolAnnotations { get; set; } = true;

    /// <summary>The default <see cref="ConversationIdResolver"/>: the string in <c>_meta["io.mcppolicy/conversationId"]</c>, else null.</summary>
    /// <param name="request">The <c>tools/call</c> request.</param>
    /// <returns>The conversation id, or null when absent, not a string, empty or longer than <see cref="MaxConversationIdLength"/>.</returns>
    public static string? ConversationIdFromMeta(RequestContext<CallToolRequestParams> request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Params?.Meta is { } meta
            && meta.TryGetPropertyValue(McpPolicyMetaKeys.ConversationId, out var node)
            && node is JsonValue value
            && value.TryGetValue<string>(out var id)
            && id.Length is > 0 and <= MaxConversationIdLength)
        {
            return id;
        }

        return null;
    }
}
