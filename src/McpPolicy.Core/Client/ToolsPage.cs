using System.Text.Json;
using System.Text.Json.Nodes;

namespace McpPolicy.Client;

/// <summary>One page of a <c>tools/list</c> result, read tool by tool so one malformed definition does not hide the others.</summary>
internal sealed class ToolsPage
{
    private readonly HashSet<string>? _repeated;

    private ToolsPage(JsonArray array, ToolDescriptor?[] tools, string? nextCursor, HashSet<string>? repeated)
    {
        Array = array;
        Tools = tools;
        NextCursor = nextCursor;
        _repeated = repeated;
    }

    /// <summary>The result's <c>tools</c> array (the client's copy: removing from it hides a tool).</summary>
    public JsonArray Array { get; }

    /// <summary>One descriptor per array element; null where the definition could not be read.</summary>
    public ToolDescriptor?[] Tools { get; }

    public string? NextCursor { get; }

    /// <summary>True when the page lists this name more than once (which definition a call would reach is then unclear).</summary>
    public bool IsRepeated(string name) => _repeated is not null && _repeated.Contains(name);

    /// <summary>Reads a page; null when the result has no <c>tools</c> array.</summary>
    public static ToolsPage? Read(JsonNode? result)
    {
        if (result is not JsonObject obj || !obj.TryGetPropertyValue("tools", out var node) || node is not JsonArray array)
        {
            return null;
        }

        var tools = new ToolDescriptor?[array.Count];
        var names = new HashSet<string>(array.Count, StringComparer.Ordinal);
        HashSet<string>? repeated = null;
        for (var i = 0; i < tools.Length; i++)
        {
            var tool = ReadTool(array[i]);
            tools[i] = tool;
            if (tool is not null && !names.Add(tool.Name))
            {
                (repeated ??= new HashSet<string>(StringComparer.Ordinal)).Add(tool.Name);
            }
        }

        string? nextCursor = null;
        if (obj.TryGetPropertyValue("nextCursor", out var cursor) && cursor is JsonValue value && value.TryGetValue<string>(out var text))
        {
            nextCursor = text;
        }

        return new ToolsPage(array, tools, nextCursor, repeated);
    }

    private static ToolDescriptor? ReadTool(JsonNode? node)
    {
        if (node is not JsonObject)
        {
            return null;
        }

        try
        {
            var tool = JsonSerializer.Deserialize(node, ProtocolJson.Tool);
            return tool is null || string.IsNullOrEmpty(tool.Name) ? null : ToolDescriptor.FromProtocol(tool);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
