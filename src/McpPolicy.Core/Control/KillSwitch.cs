namespace McpPolicy;

/// <summary>
/// The default <see cref="IKillSwitch"/>: run-time entries in an <see cref="IKillSwitchStore"/>, plus the entries of the policy's
/// <c>killSwitch</c> section, swapped in as a whole when the policy is reloaded. Thread-safe; lookups take no lock.
/// </summary>
public sealed class KillSwitch : IKillSwitch
{
    private readonly IKillSwitchStore _store;
    private readonly TimeProvider _time;
    private volatile KillSwitchEntry[] _configured = [];

    /// <summary>Creates a kill switch over <paramref name="store"/>.</summary>
    /// <param name="store">Where run-time entries live; null keeps them in memory.</param>
    /// <param name="time">Stamps run-time entries.</param>
    public KillSwitch(IKillSwitchStore? store = null, TimeProvider? time = null)
    {
        _store = store ?? new InMemoryKillSwitchStore();
        _time = time ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public IReadOnlyList<KillSwitchEntry> Entries => [.. _configured, .. _store.Entries];

    /// <inheritdoc />
    public void Disable(KillSwitchScope scope, string? reason = null)
    {
        ArgumentNullException.ThrowIfNull(scope);
        _store.Disable(new KillSwitchEntry(scope, reason, _time.GetUtcNow()));
    }

    /// <inheritdoc />
    public bool Enable(KillSwitchScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return _store.Enable(scope);
    }

    /// <inheritdoc />
    public KillSwitchEntry? Find(string serverId, string toolName)
    {
        ArgumentNullException.ThrowIfNull(serverId);
        ArgumentNullException.ThrowIfNull(toolName);
        return FindIn(_configured, serverId, toolName) ?? FindIn(_store.Entries, serverId, toolName);
    }

    /// <summary>Puts the entries of a newly loaded policy in force, replacing those of the previous one.</summary>
    /// <param name="entries">The policy's <c>killSwitch</c> entries.</param>
    internal void SetConfigured(IEnumerable<KillSwitchEntry> entries)
        => _configured = entries.Select(e => e.FromConfiguration ? e : new KillSwitchEntry(e.Scope, e.Reason, e.Since) { FromConfiguration = true }).ToArray();

    private static KillSwitchEntry? FindIn(IReadOnlyList<KillSwitchEntry> entries, string serverId, string toolName)
    {
        // Indexed loop: the store's snapshot is usually an array, and this runs on every call.
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            if (entry.Scope.Matches(serverId, toolName))
            {
                return entry;
            }
        }

        return null;
    }
}
