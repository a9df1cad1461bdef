namespace McpPolicy.Schemas;

/// <summary>How a server's tool differs between a pinned catalog and the live one.</summary>
public enum ToolChangeKind
{
    /// <summary>The tool is live but was not pinned.</summary>
    Added,

    /// <summary>The tool was pinned but is no longer listed.</summary>
    Removed,

    /// <summary>The tool is listed under the same name with a different definition hash.</summary>
    Changed,
}
