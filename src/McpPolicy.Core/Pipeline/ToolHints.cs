namespace McpPolicy;

/// <summary>
/// The behaviour hints a server declares for a tool (MCP <c>ToolAnnotations</c>). Hints are claims, not facts:
/// for servers the policy does not trust they can only raise the risk. Missing hints take the MCP specification's
/// worst-case defaults (not read-only, destructive, open-world).
/// </summary>
/// <param name="ReadOnly">readOnlyHint, or null when the server did not say.</param>
/// <param name="Destructive">destructiveHint, or null when the server did not say.</param>
/// <param name="Idempotent">idempotentHint, or null when the server did not say.</param>
/// <param name="OpenWorld">openWorldHint, or null when the server did not say.</param>
public readonly record struct ToolHints(bool? ReadOnly, bool? Destructive, bool? Idempotent, bool? OpenWorld)
{
    /// <summary>readOnlyHint with the specification default (false) applied.</summary>
    public bool IsReadOnly => ReadOnly ?? false;

    /// <summary>destructiveHint with the specification default (true) applied; read-only tools are never destructive.</summary>
    public bool IsDestructive => !IsReadOnly && (Destructive ?? true);

    /// <summary>openWorldHint with the specification default (true) applied.</summary>
    public bool IsOpenWorld => OpenWorld ?? true;
}
