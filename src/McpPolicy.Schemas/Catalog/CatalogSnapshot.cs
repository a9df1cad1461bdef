using System.Collections.Frozen;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Schemas;

/// <summary>
/// The definition hashes of one server's tools at one moment: what a lock file pins and what a live <c>tools/list</c> shows.
/// Comparing two snapshots finds added, removed and changed tools (the rug pull: same name, new definition).
/// </summary>
public sealed class CatalogSnapshot
{
    private CatalogSnapshot(string serverId, FrozenDictionary<string, string> hashes)
    {
        ServerId = serverId;
        Hashes = hashes;
    }

    /// <summary>The host-configured server id.</summary>
    public string ServerId { get; }

    /// <summary>Tool name → canonical definition hash (see <see cref="ToolDefinitionHash"/>).</summary>
    public IReadOnlyDictionary<string, string> Hashes { get; }

    /// <summary>Takes a snapshot of listed tools.</summary>
    /// <param name="serverId">The host-configured server id.</param>
    /// <param name="tools">The tools as the server listed them.</param>
    /// <returns>The snapshot.</returns>
    /// <exception cref="ArgumentException">Two tools share a name: a catalog must be unambiguous.</exception>
    public static CatalogSnapshot FromTools(string serverId, IEnumerable<Tool> tools)
    {
        ArgumentException.ThrowIfNullOrEmpty(serverId);
        ArgumentNullException.ThrowIfNull(tools);
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var tool in tools)
        {
            if (!hashes.TryAdd(tool.Name, ToolDefinitionHash.Compute(tool)))
            {
                throw new ArgumentException($"The server '{serverId}' lists the tool '{tool.Name}' twice; a catalog with duplicate names is ambiguous.", nameof(tools));
            }
        }

        return new CatalogSnapshot(serverId, hashes.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>Builds a snapshot from stored hashes (for example a lock file).</summary>
    /// <param name="serverId">The host-configured server id.</param>
    /// <param name="hashes">Tool name → definition hash.</param>
    /// <returns>The snapshot.</returns>
    public static CatalogSnapshot FromHashes(string serverId, IReadOnlyDictionary<string, string> hashes)
    {
        ArgumentException.ThrowIfNullOrEmpty(serverId);
        ArgumentNullException.ThrowIfNull(hashes);
        return new CatalogSnapshot(serverId, hashes.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>Lists what differs from <paramref name="pinned"/> to this (live) snapshot, ordered by tool name.</summary>
    /// <param name="pinned">The approved snapshot.</param>
    /// <returns>Every added, removed and changed tool; empty when they agree.</returns>
    public IReadOnlyList<ToolChange> CompareTo(CatalogSnapshot pinned)
    {
        ArgumentNullException.ThrowIfNull(pinned);
        var changes = new List<ToolChange>();
        foreach (var (name, live) in Hashes)
        {
            if (!pinned.Hashes.TryGetValue(name, out var old))
            {
                changes.Add(new ToolChange(ToolChangeKind.Added, name, null, live));
            }
            else if (!string.Equals(old, live, StringComparison.Ordinal))
            {
                changes.Add(new ToolChange(ToolChangeKind.Changed, name, old, live));
            }
        }

        foreach (var (name, old) in pinned.Hashes)
        {
            if (!Hashes.ContainsKey(name))
            {
                changes.Add(new ToolChange(ToolChangeKind.Removed, name, old, null));
            }
        }

        changes.Sort((a, b) => string.CompareOrdinal(a.ToolName, b.ToolName));
        return changes;
    }
}
