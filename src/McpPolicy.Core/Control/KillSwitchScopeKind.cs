namespace McpPolicy;

/// <summary>What a <see cref="KillSwitchScope"/> covers.</summary>
public enum KillSwitchScopeKind
{
    /// <summary>Every tool of every server.</summary>
    All,

    /// <summary>Every tool of one server.</summary>
    Server,

    /// <summary>One tool, or the tools a <c>server/tool</c> glob matches.</summary>
    Tool,
}
