using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Client;

/// <summary>The MCP SDK's serialization contracts for the protocol types the client integration reads and writes.</summary>
internal static class ProtocolJson
{
    public static readonly JsonTypeInfo<CallToolResult> CallToolResult = Get<CallToolResult>();

    public static readonly JsonTypeInfo<Tool> Tool = Get<Tool>();

    public static readonly JsonTypeInfo<CancelledNotificationParams> CancelledNotificationParams = Get<CancelledNotificationParams>();

    public static readonly JsonTypeInfo<JsonElement> JsonElement = Get<JsonElement>();

    private static JsonTypeInfo<T> Get<T>() => (JsonTypeInfo<T>)McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(T));
}
