namespace McpPolicy.Schemas;

/// <summary>Limits of the <see cref="ToolDefinitionScanner"/> and what <see cref="DefinitionScanRule"/> does with its findings.</summary>
public sealed class DefinitionScanOptions
{
    /// <summary>The largest allowed <see cref="MaxDepth"/>.</summary>
    public const int MaxDepthLimit = 256;

    /// <summary>
    /// The lowest severity that raises a call's risk (<see cref="DefinitionScanRule"/>). Default <see cref="FindingSeverity.Medium"/>:
    /// a tool with a Medium finding is audited, High needs an approval, Critical is blocked.
    /// </summary>
    public FindingSeverity MinimumSeverity { get; set; } = FindingSeverity.Medium;

    /// <summary>How deeply nested a definition may be; deeper values are not scanned and give a <see cref="DefinitionFindingIds.ScanLimit"/> finding. Default 64.</summary>
    public int MaxDepth { get; set; } = 64;

    /// <summary>How many characters (strings and property names) of one definition are scanned; beyond it, a <see cref="DefinitionFindingIds.ScanLimit"/> finding. Default 1 MiB.</summary>
    public int MaxTextLength { get; set; } = 1024 * 1024;

    /// <summary>How many findings are kept per tool; the rest are counted (<see cref="DefinitionScanResult.OmittedFindings"/>) and still count for the highest severity. Default 64.</summary>
    public int MaxFindingsPerTool { get; set; } = 64;

    /// <summary>How many tools of a catalog are compared pairwise for near-duplicate names. Default 2,000.</summary>
    public int MaxComparedTools { get; set; } = 2000;

    /// <summary>Finding ids (see <see cref="DefinitionFindingIds"/>) not to report, for example <c>encoded-blob.hex</c> for a server that documents hashes.</summary>
    public ISet<string> IgnoredFindings { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Lists what is wrong with the options; empty when they are valid.</summary>
    internal List<string> Validate()
    {
        var errors = new List<string>();
        if (!Enum.IsDefined(MinimumSeverity))
        {
            errors.Add($"{nameof(MinimumSeverity)} must be Low, Medium, High or Critical, but is {(int)MinimumSeverity}.");
        }

        if (MaxDepth is < 1 or > MaxDepthLimit)
        {
            errors.Add($"{nameof(MaxDepth)} must be between 1 and {MaxDepthLimit}, but is {MaxDepth}.");
        }

        if (MaxTextLength < 1)
        {
            errors.Add($"{nameof(MaxTextLength)} must be positive, but is {MaxTextLength}.");
        }

        if (MaxFindingsPerTool < 1)
        {
            errors.Add($"{nameof(MaxFindingsPerTool)} must be positive, but is {MaxFindingsPerTool}.");
        }

        if (MaxComparedTools < 0)
        {
            errors.Add($"{nameof(MaxComparedTools)} must not be negative, but is {MaxComparedTools}.");
        }

        foreach (var id in IgnoredFindings)
        {
            if (id is null || !ToolDefinitionScanner.KnownIds.Contains(id))
            {
                errors.Add($"{nameof(IgnoredFindings)} names '{id}', which is not a finding id; see {nameof(DefinitionFindingIds)}.");
            }
            else if (id is DefinitionFindingIds.ScanLimit or DefinitionFindingIds.InvalidDefinition)
            {
                errors.Add($"{nameof(IgnoredFindings)} must not name '{id}': a definition that cannot be scanned must not pass unnoticed.");
            }
        }

        return errors;
    }
}
