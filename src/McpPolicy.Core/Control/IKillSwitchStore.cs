namespace McpPolicy;

/// <summary>
/// Where runtime kill switch entries live. The default keeps them in memory for one process; a host that runs several instances
/// can implement this over a shared store so one <see cref="IKillSwitch.Disable"/> reaches every instance.
/// </summary>
/// <remarks>
/// <see cref="Entries"/> is read on every tool call, so it must be cheap (a snapshot kept current by the store, not a network round
/// trip). An implementation that cannot tell what is disabled should throw: the kill switch then denies every call (fail closed).
/// </remarks>
public interface IKillSwitchStore
{
    /// <summary>The entries in force now: a snapshot that later changes do not alter.</summary>
    IReadOnlyList<KillSwitchEntry> Entries { get; }

    /// <summary>Adds <paramref name="entry"/>, replacing an entry with the same scope.</summary>
    /// <param name="entry">The entry.</param>
    void Disable(KillSwitchEntry entry);

    /// <summary>Removes the entry with exactly this scope (not entries that merely overlap it).</summary>
    /// <param name="scope">The scope.</param>
    /// <returns>True when an entry was removed.</returns>
    bool Enable(KillSwitchScope scope);
}
