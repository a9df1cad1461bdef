using System.Text.Json;

namespace McpPolicy;

/// <summary>A <c>tools</c> entry's schema overlay: a JSON Schema a call's arguments must match in addition to the tool's own input schema.</summary>
public sealed class ToolSchemaOverlay
{
    internal ToolSchemaOverlay(int entryIndex, JsonElement schema)
    {
        EntryIndex = entryIndex;
        RuleId = "tools[" + entryIndex.ToString(System.Globalization.CultureInfo.InvariantCulture) + "].schema";
        Schema = schema;
    }

    /// <summary>The index of the entry in the merged <c>tools</c> list.</summary>
    public int EntryIndex { get; }

    /// <summary>The rule id a violation is reported under: <c>tools[i].schema</c>.</summary>
    public string RuleId { get; }

    /// <summary>The overlay schema (a JSON object), as the policy wrote it.</summary>
    public JsonElement Schema { get; }
}
