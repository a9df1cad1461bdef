namespace McpPolicy;

/// <summary>How <see cref="ToolPattern"/> reads a <c>server/tool</c> pattern.</summary>
[Flags]
public enum ToolPatternOptions
{
    /// <summary>
    /// The syntax of a policy's <c>match</c>: the pattern is split at its first <c>/</c>, so the tool segment may itself contain
    /// <c>/</c> (<c>web/a/b</c> is the tool <c>a/b</c> of server <c>web</c>).
    /// </summary>
    None = 0,

    /// <summary>
    /// The pattern must have exactly one <c>/</c>, between the server and the tool: <c>web/a/b</c> and <c>a//b</c> are rejected.
    /// Matching is unchanged, so a <c>*</c> in the tool segment still matches a <c>/</c> inside a tool name (<c>web/a*b</c>
    /// matches the tool <c>a/b</c>). For settings where a pattern with a second <c>/</c> is more likely a mistake than a tool name.
    /// </summary>
    RequireSingleSlash = 1,
}
