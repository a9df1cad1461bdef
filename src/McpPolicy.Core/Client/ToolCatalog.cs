using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using McpPolicy.Client;

namespace McpPolicy;

/// <summary>
/// What the host knows about each server's tools, keyed by the host-configured server id. The policy client transport fills it
/// from every <c>tools/list</c> response (loading it itself before a server's first call) and marks it stale on
/// <c>notifications/tools/list_changed</c>. A tool not in the catalog is unknown to the policy. Thread-safe.
/// </summary>
public sealed class ToolCatalog
{
    private readonly ConcurrentDictionary<string, ServerToolCatalog> _servers = new(StringComparer.Ordinal);
    private readonly Action<ServerToolCatalog, IReadOnlyCollection<ToolDescriptor>, IReadOnlyCollection<ToolDescriptor>> _replaced;

    /// <summary>Creates an empty catalog.</summary>
    public ToolCatalog()
    {
        _replaced = OnReplaced;
    }

    /// <summary>
    /// Raised after a server's tools were replaced by a complete listing (every <c>tools/list</c> the host or the gate completes, and
    /// <see cref="SetTools"/>), on the thread that recorded the listing. Pinning (a catalog lock) subscribes here to find new, changed
    /// and removed tools. A handler that throws makes the listing or call that recorded it fail, so handlers should not throw.
    /// </summary>
    public event EventHandler<ToolCatalogUpdatedEventArgs>? Updated;

    /// <summary>How current the catalog of <paramref name="serverId"/> is.</summary>
    /// <param name="serverId">The host-configured server id.</param>
    /// <returns>The status; <see cref="ToolCatalogStatus.NotLoaded"/> for a server never listed.</returns>
    public ToolCatalogStatus GetStatus(string serverId)
    {
        ArgumentException.ThrowIfNullOrEmpty(serverId);
        return _servers.TryGetValue(serverId, out var server) ? server.Status : ToolCatalogStatus.NotLoaded;
    }

    /// <summary>Looks up one tool of one server.</summary>
    /// <param name="serverId">The host-configured server id.</param>
    /// <param name="toolName">The tool's name as the server lists it.</param>
    /// <param name="tool">The tool's descriptor when known.</param>
    /// <returns>True when the server listed the tool (exactly once) in its last listing.</returns>
    public bool TryGetTool(string serverId, string toolName, [NotNullWhen(true)] out ToolDescriptor? tool)
    {
        ArgumentException.ThrowIfNullOrEmpty(serverId);
        ArgumentNullException.ThrowIfNull(toolName);
        if (_servers.TryGetValue(serverId, out var server) && server.TryGet(toolName, out tool))
        {
            return tool is not null;
        }

        tool = null;
        return false;
    }

    /// <summary>The tools the catalog holds for a server, including those the policy hides from the client.</summary>
    /// <param name="serverId">The host-configured server id.</param>
    /// <returns>The descriptors, in no particular order; empty for a server never listed.</returns>
    public IReadOnlyCollection<ToolDescriptor> GetTools(string serverId)
    {
        ArgumentException.ThrowIfNullOrEmpty(serverId);
        return _servers.TryGetValue(serverId, out var server) ? server.Tools : [];
    }

    /// <summary>
    /// Replaces a server's tools with a complete list (for hosts and tools that learn tool definitions elsewhere, such as a lock file).
    /// A name that appears more than once is left out, so calls to it are treated as calls to an unknown tool.
    /// </summary>
    /// <param name="serverId">The host-configured server id.</param>
    /// <param name="tools">Every tool of the server.</param>
    public void SetTools(string serverId, IEnumerable<ToolDescriptor> tools)
    {
        ArgumentNullException.ThrowIfNull(tools);
        var server = GetServer(serverId);
        server.Replace(tools.ToArray(), server.Generation);
    }

    /// <summary>Marks a server's tools as possibly out of date: the next call to that server reloads them before it is decided.</summary>
    /// <param name="serverId">The host-configured server id.</param>
    public void MarkStale(string serverId) => GetServer(serverId).MarkStale();

    internal ServerToolCatalog GetServer(string serverId)
    {
        ArgumentException.ThrowIfNullOrEmpty(serverId);
        return _servers.GetOrAdd(serverId, static (id, replaced) => new ServerToolCatalog(id, replaced), _replaced);
    }

    private void OnReplaced(ServerToolCatalog server, IReadOnlyCollection<ToolDescriptor> previous, IReadOnlyCollection<ToolDescriptor> current)
        => Updated?.Invoke(this, new ToolCatalogUpdatedEventArgs(server.ServerId, previous, current));
}
