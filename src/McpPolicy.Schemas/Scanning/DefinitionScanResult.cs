namespace McpPolicy.Schemas;

/// <summary>What a scan of one tool definition or one catalog found.</summary>
public sealed class DefinitionScanResult
{
    internal DefinitionScanResult(IReadOnlyList<DefinitionFinding> findings, FindingSeverity? highest, int omitted, int toolCount)
    {
        Findings = findings;
        HighestSeverity = highest;
        OmittedFindings = omitted;
        ToolCount = toolCount;
    }

    /// <summary>The findings kept, in the order of the tools and then of the detectors.</summary>
    public IReadOnlyList<DefinitionFinding> Findings { get; }

    /// <summary>The highest severity of every finding, including those omitted over the limit; null when nothing was found.</summary>
    public FindingSeverity? HighestSeverity { get; }

    /// <summary>How many findings were dropped because a tool had more than <see cref="DefinitionScanOptions.MaxFindingsPerTool"/>.</summary>
    public int OmittedFindings { get; }

    /// <summary>How many tool definitions were scanned.</summary>
    public int ToolCount { get; }

    /// <summary>True when some finding is at <paramref name="severity"/> or above.</summary>
    /// <param name="severity">The severity.</param>
    /// <returns>True when found.</returns>
    public bool HasFindingsAtOrAbove(FindingSeverity severity) => HighestSeverity is { } highest && highest >= severity;
}
