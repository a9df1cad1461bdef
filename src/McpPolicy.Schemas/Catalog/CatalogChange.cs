using ModelContextProtocol.Protocol;

namespace McpPolicy.Schemas;

/// <summary>
/// One difference between a server's live catalog and the catalog lock, with the semantic diff a reviewer needs to approve it.
/// Obtained from <see cref="CatalogGuard.GetPendingChanges"/> or <see cref="CatalogGuard.ChangeDetected"/>, and approved with
/// <see cref="CatalogGuard.Approve(CatalogChange, string)"/>.
/// </summary>
public sealed class CatalogChange
{
    internal CatalogChange(string serverId, CatalogChangeKind kind, string? toolName, string? previousName, string? pinnedHash, string? liveHash, IReadOnlyList<DefinitionDifference> differences, DateTimeOffset detectedAt, Tool? liveTool)
    {
        ServerId = serverId;
        Kind = kind;
        ToolName = toolName;
        PreviousName = previousName;
        PinnedHash = pinnedHash;
        LiveHash = liveHash;
        Differences = differences;
        DetectedAt = detectedAt;
        LiveTool = liveTool;
        Severity = DefinitionDiff.MaxSeverity(differences);
    }

    /// <summary>The host-configured server id.</summary>
    public string ServerId { get; }

    /// <summary>What changed.</summary>
    public CatalogChangeKind Kind { get; }

    /// <summary>The tool's name (for a rename, the new name); null for a change of the server's instructions.</summary>
    public string? ToolName { get; }

    /// <summary>For a rename, the approved name the server no longer lists; otherwise null.</summary>
    public string? PreviousName { get; }

    /// <summary>The approved hash (of the tool, the renamed tool or the instructions); null when nothing was approved.</summary>
    public string? PinnedHash { get; }

    /// <summary>The live hash; null for a removed tool or removed instructions.</summary>
    public string? LiveHash { get; }

    /// <summary>The semantic diff from the approved to the live definition, ordered by location.</summary>
    public IReadOnlyList<DefinitionDifference> Differences { get; }

    /// <summary>The highest severity among <see cref="Differences"/>.</summary>
    public ChangeSeverity Severity { get; }

    /// <summary>When the guard first saw the change.</summary>
    public DateTimeOffset DetectedAt { get; }

    /// <summary>The live definition that approving the change pins (null for a removed tool or a change of instructions).</summary>
    public Tool? LiveTool { get; }

    /// <summary>The key under which the change is pending: one per tool name, one for a removal, one for the instructions.</summary>
    internal string Key => Kind switch
    {
        CatalogChangeKind.Removed => "removed:" + ToolName,
        CatalogChangeKind.InstructionsChanged => "instructions",
        _ => "tool:" + ToolName,
    };

    /// <summary>A one-line summary for logs and denial reasons: the kinds of the most severe differences.</summary>
    public string Summary
    {
        get
        {
            var subject = Kind switch
            {
                CatalogChangeKind.Added => $"new tool '{ToolName}'",
                CatalogChangeKind.Changed => $"tool '{ToolName}' changed",
                CatalogChangeKind.Removed => $"tool '{ToolName}' removed",
                CatalogChangeKind.Renamed => $"tool '{PreviousName}' renamed to '{ToolName}'",
                _ => "server instructions changed",
            };
            var shown = Differences.Where(d => d.Severity >= ChangeSeverity.Medium).Select(d => d.Kind).Distinct(StringComparer.Ordinal).Take(4).ToList();
            return shown.Count == 0 ? subject : $"{subject} ({string.Join(", ", shown)})";
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"{ServerId}: {Summary} [{Severity}]";
}
