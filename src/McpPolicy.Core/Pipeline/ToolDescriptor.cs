using System.Text.Json;
using ModelContextProtocol.Protocol;

namespace McpPolicy;

/// <summary>What the gate knows about a tool's definition: its input schema, annotation hints and attribute metadata.</summary>
public sealed class ToolDescriptor
{
    private string? _definitionHash;

    /// <summary>Creates a descriptor.</summary>
    /// <param name="name">The tool's name as the server lists it.</param>
    public ToolDescriptor(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
    }

    /// <summary>The tool's name as the server lists it (not server-qualified).</summary>
    public string Name { get; }

    /// <summary>The tool's JSON Schema for its arguments, when known.</summary>
    public JsonElement? InputSchema { get; init; }

    /// <summary>The tool's declared behaviour hints.</summary>
    public ToolHints Hints { get; init; }

    /// <summary>The risk the tool's author declared in code (for example with an attribute), when any.</summary>
    public RiskLevel? DeclaredRisk { get; init; }

    /// <summary>Attribute metadata of a code-defined tool (class attributes first, then method attributes).</summary>
    public IReadOnlyList<object> Metadata { get; init; } = [];

    /// <summary>The MCP protocol definition this descriptor was made from, when any.</summary>
    public Tool? ProtocolTool { get; init; }

    /// <summary>
    /// The canonical hash of the definition (see <see cref="McpPolicy.ToolDefinitionHash"/>); approvals are bound to it, so a tool
    /// that changes after approval needs a new approval. Computed once from <see cref="ProtocolTool"/> when not given.
    /// </summary>
    public string DefinitionHash
    {
        get => _definitionHash ??= ProtocolTool is { } tool ? McpPolicy.ToolDefinitionHash.Compute(tool) : "name:" + Name;
        init => _definitionHash = value;
    }

    /// <summary>Builds a descriptor from an MCP protocol tool definition.</summary>
    /// <param name="tool">The definition.</param>
    /// <param name="metadata">Attribute metadata, when the tool is defined in code.</param>
    /// <param name="declaredRisk">The risk declared in code, when any.</param>
    /// <returns>The descriptor.</returns>
    public static ToolDescriptor FromProtocol(Tool tool, IReadOnlyList<object>? metadata = null, RiskLevel? declaredRisk = null)
    {
        ArgumentNullException.ThrowIfNull(tool);
        var a = tool.Annotations;
        return new ToolDescriptor(tool.Name)
        {
            InputSchema = tool.InputSchema.ValueKind == JsonValueKind.Undefined ? null : tool.InputSchema,
            Hints = a is null ? default : new ToolHints(a.ReadOnlyHint, a.DestructiveHint, a.IdempotentHint, a.OpenWorldHint),
            Metadata = metadata ?? [],
            DeclaredRisk = declaredRisk,
            ProtocolTool = tool,
        };
    }
}
