namespace McpPolicy;

/// <summary>How current a server's entry in the <see cref="ToolCatalog"/> is.</summary>
public enum ToolCatalogStatus
{
    /// <summary>The server's tools were never listed; every tool is unknown until they are.</summary>
    NotLoaded = 0,

    /// <summary>The catalog holds the server's last complete tool list.</summary>
    Loaded = 1,

    /// <summary>The server said its tool list changed; the next call reloads it before deciding.</summary>
    Stale = 2,
}
