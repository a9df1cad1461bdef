namespace McpPolicy;

/// <summary>Settings for one MCP server, keyed by its host-configured id.</summary>
public sealed class ServerPolicy
{
    /// <summary>
    /// Whether the server's annotation hints are believed. Untrusted (the default): hints may only raise risk.
    /// Trusted: when no tools entry matches, a read-only hint gives Low and a destructive hint gives High.
    /// </summary>
    public bool Trusted { get; set; }
}
