namespace McpPolicy;

/// <summary>The risks that apply when nothing more specific does.</summary>
public sealed class PolicyDefaults
{
    /// <summary>Base risk of a known tool that no tools entry matches. Default: Medium.</summary>
    public RiskLevel Risk { get; set; } = RiskLevel.Medium;

    /// <summary>Risk of a tool the gate has never seen listed. Default: Block.</summary>
    public RiskLevel UnknownTool { get; set; } = RiskLevel.Block;

    /// <summary>Risk of a tool whose definition differs from the pinned one. Default: Block.</summary>
    public RiskLevel ChangedTool { get; set; } = RiskLevel.Block;
}
