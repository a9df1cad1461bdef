namespace McpPolicy.Schemas;

/// <summary>How much a difference in a tool definition matters to a reviewer, from cosmetic to likely malicious.</summary>
public enum ChangeSeverity
{
    /// <summary>Cosmetic or informational (a title, <c>_meta</c>).</summary>
    Info = 0,

    /// <summary>Narrows what the tool accepts or tells, or changes a detail (a parameter removed, a constraint tightened).</summary>
    Low = 1,

    /// <summary>Changes what the model is told or widens what the tool accepts (description text, a new required parameter, a removed pattern).</summary>
    Medium = 2,

    /// <summary>Typical of a rug pull: a new URL-like parameter, a tool that stopped being read-only or became destructive.</summary>
    High = 3,
}
