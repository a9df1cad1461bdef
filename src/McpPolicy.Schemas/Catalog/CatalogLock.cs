using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;

namespace McpPolicy.Schemas;

/// <summary>
/// The approved tool catalog of every server (the content of <c>mcp-policy.lock.json</c>): per host-configured server id, each approved
/// tool's definition and hash and who approved it when, plus the approved hash of the server's instructions. Immutable: every change
/// returns a new lock. Read and write it with <see cref="CatalogLockFile"/>.
/// </summary>
public sealed class CatalogLock
{
    private readonly ImmutableSortedDictionary<string, ServerLock> _servers;

    private CatalogLock(ImmutableSortedDictionary<string, ServerLock> servers)
    {
        _servers = servers;
    }

    /// <summary>A lock that approves nothing.</summary>
    public static CatalogLock Empty { get; } = new(ImmutableSortedDictionary.Create<string, ServerLock>(StringComparer.Ordinal));

    /// <summary>The servers, by id in ordinal order.</summary>
    public IReadOnlyDictionary<string, ServerLock> Servers => _servers;

    /// <summary>Looks up one approved tool.</summary>
    /// <param name="serverId">The host-configured server id.</param>
    /// <param name="toolName">The tool's name.</param>
    /// <param name="tool">The approved tool when found.</param>
    /// <returns>True when the lock approves a definition of that tool.</returns>
    public bool TryGetTool(string serverId, string toolName, [NotNullWhen(true)] out LockedTool? tool)
    {
        ArgumentNullException.ThrowIfNull(serverId);
        ArgumentNullException.ThrowIfNull(toolName);
        if (_servers.TryGetValue(serverId, out var server) && server.ToolsByName.TryGetValue(toolName, out tool))
        {
            return true;
        }

        tool = null;
        return false;
    }

    /// <summary>Adds or replaces an approved tool.</summary>
    /// <param name="serverId">The host-configured server id.</param>
    /// <param name="tool">The approved tool.</param>
    /// <returns>The new lock.</returns>
    public CatalogLock SetTool(string serverId, LockedTool tool)
    {
        ArgumentNullException.ThrowIfNull(tool);
        var server = Server(serverId);
        return With(server.With(server.ToolsByName.SetItem(tool.Name, tool)));
    }

    /// <summary>Removes an approved tool (for a tool the server no longer lists).</summary>
    /// <param name="serverId">The host-configured server id.</param>
    /// <param name="toolName">The tool's name.</param>
    /// <returns>The new lock (this one when the tool was not pinned).</returns>
    public CatalogLock RemoveTool(string serverId, string toolName)
    {
        ArgumentNullException.ThrowIfNull(toolName);
        var server = Server(serverId);
        return server.ToolsByName.ContainsKey(toolName) ? With(server.With(server.ToolsByName.Remove(toolName))) : this;
    }

    /// <summary>Sets the approved hashes of a server's instructions, prompt listing and resource listing (null removes one).</summary>
    /// <param name="serverId">The host-configured server id.</param>
    /// <param name="instructions">The approved instructions hash.</param>
    /// <param name="prompts">The approved prompt listing hash.</param>
    /// <param name="resources">The approved resource listing hash.</param>
    /// <returns>The new lock.</returns>
    public CatalogLock SetServerHashes(string serverId, LockedHash? instructions, LockedHash? prompts = null, LockedHash? resources = null)
        => With(Server(serverId).WithHashes(instructions, prompts, resources));

    /// <summary>Sets the approved hash of a server's instructions, keeping its prompt and resource hashes.</summary>
    /// <param name="serverId">The host-configured server id.</param>
    /// <param name="instructions">The approved hash; null approves a server without instructions.</param>
    /// <returns>The new lock.</returns>
    public CatalogLock SetInstructions(string serverId, LockedHash? instructions)
    {
        var server = Server(serverId);
        return With(server.WithHashes(instructions, server.Prompts, server.Resources));
    }

    /// <summary>
    /// Combines two locks (for example two branches of a repository): the union of their servers and tools. Where both approve a
    /// different definition of the same tool (or a different hash of the same server's instructions, prompts or resources), the later
    /// approval wins; at the same instant, the one with the ordinally greater hash, so merging is commutative.
    /// </summary>
    /// <param name="other">The other lock.</param>
    /// <returns>The merged lock.</returns>
    public CatalogLock Merge(CatalogLock other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var merged = _servers.ToBuilder();
        foreach (var (id, theirs) in other._servers)
        {
            if (!merged.TryGetValue(id, out var ours))
            {
                merged[id] = theirs;
                continue;
            }

            var tools = ours.ToolsByName.ToBuilder();
            foreach (var (name, tool) in theirs.ToolsByName)
            {
                tools[name] = tools.TryGetValue(name, out var mine) ? Later(mine, tool, static t => t.ApprovedAt, static t => t.Hash + "\n" + t.ApprovedBy) : tool;
            }

            merged[id] = new ServerLock(id, tools.ToImmutable(), Later(ours.Instructions, theirs.Instructions), Later(ours.Prompts, theirs.Prompts), Later(ours.Resources, theirs.Resources));
        }

        return new CatalogLock(merged.ToImmutable());
    }

    private static LockedHash? Later(LockedHash? a, LockedHash? b)
        => a is null ? b : b is null ? a : Later(a, b, static h => h.ApprovedAt, static h => h.Hash + "\n" + h.ApprovedBy);

    private static T Later<T>(T a, T b, Func<T, DateTimeOffset> at, Func<T, string> hash)
    {
        var byTime = at(a).CompareTo(at(b));
        return byTime > 0 ? a : byTime < 0 ? b : string.CompareOrdinal(hash(a), hash(b)) >= 0 ? a : b;
    }

    private ServerLock Server(string serverId)
    {
        ArgumentException.ThrowIfNullOrEmpty(serverId);
        return _servers.TryGetValue(serverId, out var server) ? server : ServerLock.Empty(serverId);
    }

    private CatalogLock With(ServerLock server) => new(_servers.SetItem(server.ServerId, server));
}
