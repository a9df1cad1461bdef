namespace McpPolicy.Schemas;

/// <summary>What a <see cref="CatalogChange"/> is, relative to the catalog lock.</summary>
public enum CatalogChangeKind
{
    /// <summary>A listed tool the lock does not approve: quarantined with <c>defaults.unknownTool</c>.</summary>
    Added,

    /// <summary>A listed tool whose definition hash differs from the approved one: quarantined with <c>defaults.changedTool</c>.</summary>
    Changed,

    /// <summary>An approved tool the server no longer lists. Approving it removes the tool from the lock.</summary>
    Removed,

    /// <summary>An approved tool no longer listed plus a new tool with the same input schema. The new name is quarantined as a new tool.</summary>
    Renamed,

    /// <summary>The server's instructions differ from the approved ones.</summary>
    InstructionsChanged,
}
