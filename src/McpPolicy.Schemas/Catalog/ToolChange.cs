namespace McpPolicy.Schemas;

/// <summary>One difference between a pinned catalog and the live one.</summary>
/// <param name="Kind">What changed.</param>
/// <param name="ToolName">The tool's name.</param>
/// <param name="PinnedHash">The pinned definition hash (null for an added tool).</param>
/// <param name="LiveHash">The live definition hash (null for a removed tool).</param>
public sealed record ToolChange(ToolChangeKind Kind, string ToolName, string? PinnedHash, string? LiveHash);
