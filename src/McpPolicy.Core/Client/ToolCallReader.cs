using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;

namespace McpPolicy.Client;

/// <summary>What <see cref="ToolCallReader.Read"/> found.</summary>
internal enum ToolCallReadStatus
{
    Ok = 0,
    ParamsNotAnObject,
    MissingName,
    ArgumentsNotAnObject,

    /// <summary>A property name repeats (or the JSON nests too deeply), so two readers could see different values.</summary>
    Ambiguous,
}

/// <summary>The parts of a <c>tools/call</c> request the gate reads, over one strictly parsed copy of its params.</summary>
internal readonly struct ToolCall
{
    public ToolCall(JsonElement parameters, string name, JsonElement arguments, string? conversationId)
    {
        Parameters = parameters;
        Name = name;
        Arguments = arguments;
        ConversationId = conversationId;
    }

    /// <summary>The whole params object: what is decided is exactly what is sent.</summary>
    public JsonElement Parameters { get; }

    public string Name { get; }

    /// <summary>The arguments object, or an undefined element when the call has none.</summary>
    public JsonElement Arguments { get; }

    /// <summary><c>_meta["io.mcppolicy/conversationId"]</c>, when the request carries one.</summary>
    public string? ConversationId { get; }

    /// <summary>The request's <c>_meta</c> object, or an undefined element.</summary>
    public JsonElement Meta => Parameters.TryGetProperty("_meta", out var meta) && meta.ValueKind == JsonValueKind.Object ? meta : default;
}

/// <summary>
/// Reads a <c>tools/call</c> request's params. The params node is written once to UTF-8 and parsed back with duplicate property
/// names rejected: a JSON object that repeats a name can be read differently by the policy and by the tool.
/// </summary>
internal static class ToolCallReader
{
    private static readonly JsonDocumentOptions StrictOptions = new() { AllowDuplicateProperties = false };

    [ThreadStatic]
    private static ScratchWriter? t_scratch;

    public static ToolCallReadStatus Read(JsonNode? parameters, out ToolCall call)
    {
        call = default;
        if (parameters is not JsonObject)
        {
            return ToolCallReadStatus.ParamsNotAnObject;
        }

        JsonElement root;
        var scratch = ScratchWriter.Rent(ref t_scratch, default);
        try
        {
            parameters.WriteTo(scratch.Writer, McpJsonUtilities.DefaultOptions);

            // A copy of its own, never the scratch buffer: the request that is sent is built on it.
            root = JsonElement.Parse(scratch.WrittenSpan, StrictOptions);
        }
        catch (JsonException)
        {
            return ToolCallReadStatus.Ambiguous;
        }
        finally
        {
            ScratchWriter.Return(ref t_scratch, scratch);
        }

        if (!root.TryGetProperty("name", out var nameElement) || nameElement.ValueKind != JsonValueKind.String || nameElement.GetString() is not { Length: > 0 } name)
        {
            return ToolCallReadStatus.MissingName;
        }

        JsonElement arguments = default;
        if (root.TryGetProperty("arguments", out var args))
        {
            if (args.ValueKind == JsonValueKind.Object)
            {
                arguments = args;
            }
            else if (args.ValueKind != JsonValueKind.Null)
            {
                return ToolCallReadStatus.ArgumentsNotAnObject;
            }
        }

        string? conversationId = null;
        if (root.TryGetProperty("_meta", out var meta) && meta.ValueKind == JsonValueKind.Object
            && meta.TryGetProperty(McpPolicyMetaKeys.ConversationId, out var conversation) && conversation.ValueKind == JsonValueKind.String)
        {
            conversationId = conversation.GetString();
        }

        call = new ToolCall(root, name, arguments, string.IsNullOrEmpty(conversationId) ? null : conversationId);
        return ToolCallReadStatus.Ok;
    }
}
