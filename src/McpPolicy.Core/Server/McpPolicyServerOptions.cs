using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpPolicy.Client;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpPolicy;

/// <summary>Settings of the McpPolicy gate inside an MCP server (<c>IMcpServerBuilder.WithPolicy</c>).</summary>
public sealed class McpPolicyServerOptions
{
    /// <summary>The longest conversation id the default resolver accepts; longer ids are ignored.</summary>
    public const int MaxConversationIdLength = 256;

    private static ReadOnlySpan<byte> ConversationIdUtf8 => "io.mcppolicy/conversationId"u8;

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
        if (request.Params?.Meta is not { } meta)
        {
            return null;
        }

        // The SDK's _meta is still backed by the text it was parsed from: look the id up there, comparing names as the node would, so
        // that the client info and capabilities it also holds are not materialized into nodes for every call. A name that occurs more
        // than once, or a _meta built as nodes, is left to the node lookup below, which treats it as before.
        if (TryFindInSource(meta, out var found, out var source))
        {
            return found && source.ValueKind == JsonValueKind.String && source.GetString() is { Length: > 0 and <= MaxConversationIdLength } text ? text : null;
        }

        if (meta.TryGetPropertyValue(McpPolicyMetaKeys.ConversationId, out var node)
            && node is JsonValue value
            && value.TryGetValue<string>(out var id)
            && id.Length is > 0 and <= MaxConversationIdLength)
        {
            return id;
        }

        return null;
    }

    /// <summary>
    /// Finds the conversation id entry in the element <paramref name="meta"/> was parsed from, comparing names as the node does (the SDK's
    /// nodes ignore case): false when the node has no backing element or names the entry more than once.
    /// </summary>
    private static bool TryFindInSource(JsonObject meta, out bool found, out JsonElement value)
    {
        found = false;
        value = default;
        if (!NodeSource.TryGetBackingElement(meta, out var element) || element.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        var ignoreCase = meta.Options is { PropertyNameCaseInsensitive: true };
        foreach (var property in element.EnumerateObject())
        {
            if (property.NameEquals(ConversationIdUtf8) || (ignoreCase && NameEqualsIgnoringCase(property)))
            {
                if (found)
                {
                    return false;
                }

                found = true;
                value = property.Value;
            }
        }

        return true;
    }

    /// <summary>Whether the property's name equals the conversation id key under <see cref="StringComparer.OrdinalIgnoreCase"/>.</summary>
    private static bool NameEqualsIgnoringCase(JsonProperty property)
    {
        var raw = JsonMarshal.GetRawUtf8PropertyName(property);

        // Plain ASCII without escapes compares byte by byte exactly as OrdinalIgnoreCase compares the chars; anything else as strings.
        return Ascii.IsValid(raw) && raw.IndexOf((byte)'\\') < 0
            ? Ascii.EqualsIgnoreCase(raw, ConversationIdUtf8)
            : string.Equals(property.Name, McpPolicyMetaKeys.ConversationId, StringComparison.OrdinalIgnoreCase);
    }
}
