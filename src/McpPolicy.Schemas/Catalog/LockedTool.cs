using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Schemas;

/// <summary>One approved tool in a <see cref="CatalogLock"/>: its full definition, the definition's hash, and who approved it when.</summary>
public sealed class LockedTool
{
    private LockedTool(string name, string hash, JsonElement definition, string approvedBy, DateTimeOffset approvedAt)
    {
        Name = name;
        Hash = hash;
        Definition = definition;
        ApprovedBy = approvedBy;
        ApprovedAt = approvedAt;
    }

    /// <summary>The tool's name as the server lists it.</summary>
    public string Name { get; }

    /// <summary>The definition's hash (see <see cref="ToolDefinitionHash"/>).</summary>
    public string Hash { get; }

    /// <summary>The approved definition, as the MCP SDK serializes a <see cref="Tool"/>.</summary>
    public JsonElement Definition { get; }

    /// <summary>Who approved the definition (a user name, a service, or <c>trust-on-first-use</c>).</summary>
    public string ApprovedBy { get; }

    /// <summary>When the definition was approved.</summary>
    public DateTimeOffset ApprovedAt { get; }

    /// <summary>Pins a tool definition.</summary>
    /// <param name="tool">The definition as the server listed it.</param>
    /// <param name="approvedBy">Who approved it.</param>
    /// <param name="approvedAt">When.</param>
    /// <returns>The locked tool.</returns>
    public static LockedTool Create(Tool tool, string approvedBy, DateTimeOffset approvedAt)
    {
        ArgumentNullException.ThrowIfNull(tool);
        ArgumentException.ThrowIfNullOrWhiteSpace(approvedBy);
        ArgumentException.ThrowIfNullOrEmpty(tool.Name);
        return new LockedTool(tool.Name, ToolDefinitionHash.Compute(tool), Serialize(tool), approvedBy, approvedAt);
    }

    /// <summary>Reads a locked tool from stored parts, checking that the hash and the name belong to the definition.</summary>
    /// <param name="definition">The stored definition.</param>
    /// <param name="hash">The stored hash.</param>
    /// <param name="approvedBy">Who approved it.</param>
    /// <param name="approvedAt">When.</param>
    /// <returns>The locked tool.</returns>
    /// <exception cref="ArgumentException">The definition is not a tool, or its hash is not <paramref name="hash"/>.</exception>
    public static LockedTool FromStored(JsonElement definition, string hash, string approvedBy, DateTimeOffset approvedAt)
    {
        ArgumentException.ThrowIfNullOrEmpty(hash);
        ArgumentException.ThrowIfNullOrWhiteSpace(approvedBy);
        var tool = Deserialize(definition) ?? throw new ArgumentException("The definition is not a tool object.", nameof(definition));
        if (string.IsNullOrEmpty(tool.Name))
        {
            throw new ArgumentException("The definition has no name.", nameof(definition));
        }

        var actual = ToolDefinitionHash.Compute(tool);
        if (!string.Equals(actual, hash, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The hash {hash} does not match the definition (its hash is {actual}): the definition or the hash was edited.", nameof(hash));
        }

        return new LockedTool(tool.Name, hash, definition.Clone(), approvedBy, approvedAt);
    }

    /// <summary>The approved definition as an MCP <see cref="Tool"/>.</summary>
    /// <returns>A new <see cref="Tool"/> each time.</returns>
    public Tool ToTool() => Deserialize(Definition)!;

    internal static JsonElement Serialize(Tool tool)
        => JsonSerializer.SerializeToElement(tool, (JsonTypeInfo<Tool>)McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(Tool)));

    private static Tool? Deserialize(JsonElement definition)
    {
        if (definition.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        try
        {
            return definition.Deserialize((JsonTypeInfo<Tool>)McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(Tool)));
        }
        catch (JsonException ex)
        {
            throw new ArgumentException("The definition is not a valid MCP tool: " + ex.Message, nameof(definition), ex);
        }
    }
}
