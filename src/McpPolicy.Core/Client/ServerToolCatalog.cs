using System.Collections.Frozen;

namespace McpPolicy.Client;

/// <summary>
/// One server's entry in the <see cref="ToolCatalog"/>: an immutable snapshot of its tools, swapped atomically. Reads are
/// lock-free; writes are rare (listings, list-changed notifications) and serialized.
/// </summary>
internal sealed class ServerToolCatalog
{
    private readonly object _gate = new();
    private volatile Snapshot _snapshot = Snapshot.Empty;
    private readonly Action<ServerToolCatalog, IReadOnlyCollection<ToolDescriptor>, IReadOnlyCollection<ToolDescriptor>>? _replaced;
    private int _generation;

    public ServerToolCatalog(string serverId, Action<ServerToolCatalog, IReadOnlyCollection<ToolDescriptor>, IReadOnlyCollection<ToolDescriptor>>? replaced = null)
    {
        ServerId = serverId;
        _replaced = replaced;
    }

    public string ServerId { get; }

    /// <summary>Serializes the loads a call triggers, so concurrent first calls list the tools once.</summary>
    public SemaphoreSlim LoadLock { get; } = new(1, 1);

    public ToolCatalogStatus Status => _snapshot.Status;

    /// <summary>Changes on every <see cref="MarkStale"/>; a load that started before a change does not mark the catalog loaded.</summary>
    public int Generation => Volatile.Read(ref _generation);

    public IReadOnlyCollection<ToolDescriptor> Tools => _snapshot.Tools.Values;

    public bool TryGet(string toolName, out ToolDescriptor? tool)
    {
        if (_snapshot.Tools.TryGetValue(toolName, out var found))
        {
            tool = found;
            return true;
        }

        tool = null;
        return false;
    }

    public void MarkStale()
    {
        lock (_gate)
        {
            _generation++;
            _snapshot = new Snapshot(_snapshot.Tools, _snapshot.Status == ToolCatalogStatus.NotLoaded ? ToolCatalogStatus.NotLoaded : ToolCatalogStatus.Stale);
        }
    }

    /// <summary>
    /// Replaces the tools with a complete listing. The catalog becomes <see cref="ToolCatalogStatus.Loaded"/> only when no
    /// change was announced since <paramref name="generation"/> was read. Names listed more than once are left out, so they stay unknown.
    /// Then reports the old and new tool sets to the owner (outside the lock); an exception there reaches the caller, which fails closed.
    /// </summary>
    public void Replace(IReadOnlyList<ToolDescriptor> tools, int generation)
    {
        var map = Build(tools, null);
        Snapshot previous;
        lock (_gate)
        {
            previous = _snapshot;
            var status = _generation == generation ? ToolCatalogStatus.Loaded : ToolCatalogStatus.Stale;
            _snapshot = new Snapshot(map, status);
        }

        _replaced?.Invoke(this, previous.Tools.Values, map.Values);
    }

    /// <summary>Adds or updates tools from a partial listing (one page), keeping the others and the status.</summary>
    public void Upsert(IReadOnlyList<ToolDescriptor> tools)
    {
        if (tools.Count == 0)
        {
            return;
        }

        lock (_gate)
        {
            var current = _snapshot;
            _snapshot = new Snapshot(Build(tools, current.Tools), current.Status);
        }
    }

    private static FrozenDictionary<string, ToolDescriptor> Build(IReadOnlyList<ToolDescriptor> tools, FrozenDictionary<string, ToolDescriptor>? existing)
    {
        var map = existing is null ? new Dictionary<string, ToolDescriptor>(tools.Count, StringComparer.Ordinal) : new Dictionary<string, ToolDescriptor>(existing, StringComparer.Ordinal);
        HashSet<string>? repeated = null;
        var added = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tool in tools)
        {
            if (!added.Add(tool.Name))
            {
                (repeated ??= new HashSet<string>(StringComparer.Ordinal)).Add(tool.Name);
            }

            map[tool.Name] = tool;
        }

        if (repeated is not null)
        {
            foreach (var name in repeated)
            {
                map.Remove(name);
            }
        }

        return map.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private sealed class Snapshot
    {
        public static readonly Snapshot Empty = new(FrozenDictionary<string, ToolDescriptor>.Empty, ToolCatalogStatus.NotLoaded);

        public Snapshot(FrozenDictionary<string, ToolDescriptor> tools, ToolCatalogStatus status)
        {
            Tools = tools;
            Status = status;
        }

        public FrozenDictionary<string, ToolDescriptor> Tools { get; }

        public ToolCatalogStatus Status { get; }
    }
}
