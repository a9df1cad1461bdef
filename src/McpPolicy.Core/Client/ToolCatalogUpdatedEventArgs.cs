namespace McpPolicy;

/// <summary>A server's tools in the <see cref="ToolCatalog"/> were replaced by a complete listing: what it held before and what it holds now.</summary>
public sealed class ToolCatalogUpdatedEventArgs : EventArgs
{
    /// <summary>Creates the event data.</summary>
    /// <param name="serverId">The host-configured server id.</param>
    /// <param name="previousTools">The tools the catalog held before the listing.</param>
    /// <param name="tools">The tools the catalog holds now.</param>
    public ToolCatalogUpdatedEventArgs(string serverId, IReadOnlyCollection<ToolDescriptor> previousTools, IReadOnlyCollection<ToolDescriptor> tools)
    {
        ArgumentException.ThrowIfNullOrEmpty(serverId);
        ArgumentNullException.ThrowIfNull(previousTools);
        ArgumentNullException.ThrowIfNull(tools);
        ServerId = serverId;
        PreviousTools = previousTools;
        Tools = tools;
    }

    /// <summary>The host-configured server id.</summary>
    public string ServerId { get; }

    /// <summary>The tools the catalog held before the listing (empty the first time), in no particular order.</summary>
    public IReadOnlyCollection<ToolDescriptor> PreviousTools { get; }

    /// <summary>The tools the catalog holds now, in no particular order. A name the server listed more than once is not among them.</summary>
    public IReadOnlyCollection<ToolDescriptor> Tools { get; }
}
