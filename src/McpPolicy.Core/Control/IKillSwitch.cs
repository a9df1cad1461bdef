namespace McpPolicy;

/// <summary>
/// Disables tools at run time: one tool, a <c>server/tool</c> glob, a server, or everything. A change applies to the next call that
/// reaches the pipeline; a disabled call is denied with the rule id <c>killswitch:&lt;scope&gt;</c>. Entries from the policy's
/// <c>killSwitch</c> section apply too and change with the policy (hot reload).
/// </summary>
public interface IKillSwitch
{
    /// <summary>Every entry in force: the policy's <c>killSwitch</c> section first, then the entries set at run time.</summary>
    IReadOnlyList<KillSwitchEntry> Entries { get; }

    /// <summary>Disables <paramref name="scope"/> from the next call on (replacing a run-time entry with the same scope).</summary>
    /// <param name="scope">What to disable.</param>
    /// <param name="reason">Why, in one sentence safe to show to a model; it appears in the denial.</param>
    void Disable(KillSwitchScope scope, string? reason = null);

    /// <summary>Removes the run-time entry with exactly this scope. An entry from the policy's <c>killSwitch</c> section stays until the policy changes.</summary>
    /// <param name="scope">The scope given to <see cref="Disable"/>.</param>
    /// <returns>True when an entry was removed.</returns>
    bool Enable(KillSwitchScope scope);

    /// <summary>The entry that disables tool <paramref name="toolName"/> of server <paramref name="serverId"/>, or null when it is enabled.</summary>
    /// <param name="serverId">The host-configured server id.</param>
    /// <param name="toolName">The tool's name.</param>
    /// <returns>The first entry covering the tool, or null.</returns>
    KillSwitchEntry? Find(string serverId, string toolName);

    /// <summary>True when tool <paramref name="toolName"/> of server <paramref name="serverId"/> is disabled.</summary>
    /// <param name="serverId">The host-configured server id.</param>
    /// <param name="toolName">The tool's name.</param>
    /// <returns>Whether the tool is disabled.</returns>
    bool IsDisabled(string serverId, string toolName) => Find(serverId, toolName) is not null;
}
