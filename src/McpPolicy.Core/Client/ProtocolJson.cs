using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Client;

/// <summary>The MCP SDK's serialization contracts for the protocol types the client integration reads and writes.</summary>
internal static class ProtocolJson
{
    private const int DefaultMaxDepth = 64;

    public static readonly JsonTypeInfo<CallToolResult> CallToolResult = Get<CallToolResult>();

    public static readonly JsonTypeInfo<Tool> Tool = Get<Tool>();

    public static readonly JsonTypeInfo<CancelledNotificationParams> CancelledNotificationParams = Get<CancelledNotificationParams>();

    [ThreadStatic]
    private static ScratchWriter? t_scratch;

    /// <summary>
    /// <see cref="JsonSerializer.Deserialize{TValue}(System.Text.Json.Nodes.JsonNode?, JsonTypeInfo{TValue})"/> without its per-call
    /// buffer and writer: the node is written to this thread's scratch buffer, with the same writer settings, and read back.
    /// </summary>
    public static T? Deserialize<T>(System.Text.Json.Nodes.JsonNode? node, JsonTypeInfo<T> typeInfo)
    {
        var options = typeInfo.Options;
        var scratch = ScratchWriter.Rent(ref t_scratch, new JsonWriterOptions
        {
            Encoder = options.Encoder,
            MaxDepth = options.MaxDepth == 0 ? DefaultMaxDepth : options.MaxDepth,
        });
        try
        {
            if (node is null)
            {
                scratch.Writer.WriteNullValue();
            }
            else
            {
                node.WriteTo(scratch.Writer, options);
            }

            return JsonSerializer.Deserialize(scratch.WrittenSpan, typeInfo);
        }
        finally
        {
            ScratchWriter.Return(ref t_scratch, scratch);
        }
    }

    private static JsonTypeInfo<T> Get<T>() => (JsonTypeInfo<T>)McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(T));
}
