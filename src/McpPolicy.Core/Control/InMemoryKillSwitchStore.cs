namespace McpPolicy;

/// <summary>The default <see cref="IKillSwitchStore"/>: entries in memory for this process, read without locks. Thread-safe.</summary>
public sealed class InMemoryKillSwitchStore : IKillSwitchStore
{
    private readonly Lock _gate = new();
    private volatile KillSwitchEntry[] _entries = [];

    /// <inheritdoc />
    public IReadOnlyList<KillSwitchEntry> Entries => _entries;

    /// <inheritdoc />
    public void Disable(KillSwitchEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (_gate)
        {
            var current = _entries;
            var next = new List<KillSwitchEntry>(current.Length + 1);
            next.AddRange(current.Where(e => !e.Scope.Equals(entry.Scope)));
            next.Add(entry);
            _entries = [.. next];
        }
    }

    /// <inheritdoc />
    public bool Enable(KillSwitchScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        lock (_gate)
        {
            var current = _entries;
            var next = current.Where(e => !e.Scope.Equals(scope)).ToArray();
            if (next.Length == current.Length)
            {
                return false;
            }

            _entries = next;
            return true;
        }
    }
}
