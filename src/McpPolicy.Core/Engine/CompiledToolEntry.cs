namespace McpPolicy.Engine;

/// <summary>A <c>tools</c> entry, compiled.</summary>
internal sealed class CompiledToolEntry
{
    public CompiledToolEntry(int index, Glob glob, RiskLevel risk, string? reason, RiskLevel onViolation, CompiledCondition[] constraints, System.Text.Json.JsonElement? schema = null)
    {
        Index = index;
        Id = "tools[" + index.ToString(System.Globalization.CultureInfo.InvariantCulture) + "]";
        Glob = glob;
        Risk = risk;
        BaseReason = new PolicyReason(Id, reason ?? $"'{glob.Text}' is rated {risk}", risk);
        Constraints = constraints;
        ViolationReasons = constraints
            .Select(c => new PolicyReason(Id + ".arguments." + c.Key, $"argument '{c.Key}' is outside what the policy allows ({c.Description})", onViolation))
            .ToArray();
        SchemaOverlay = schema is { } s ? new ToolSchemaOverlay(index, s) : null;
    }

    /// <summary>The entry's schema overlay, one instance shared by every plan it matches.</summary>
    public ToolSchemaOverlay? SchemaOverlay { get; }

    public int Index { get; }

    public string Id { get; }

    public Glob Glob { get; }

    public RiskLevel Risk { get; }

    public PolicyReason BaseReason { get; }

    public CompiledCondition[] Constraints { get; }

    public PolicyReason[] ViolationReasons { get; }

    /// <summary>True when this entry is more specific than <paramref name="other"/> (exact beats pattern, longer literal text wins, ties go to the higher risk, then the earlier entry).</summary>
    public bool IsMoreSpecificThan(CompiledToolEntry other)
    {
        if (Glob.IsExact != other.Glob.IsExact)
        {
            return Glob.IsExact;
        }

        if (Glob.LiteralLength != other.Glob.LiteralLength)
        {
            return Glob.LiteralLength > other.Glob.LiteralLength;
        }

        if (Risk != other.Risk)
        {
            return Risk > other.Risk;
        }

        return Index < other.Index;
    }
}
