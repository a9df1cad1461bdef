using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Schemas;

/// <summary>
/// Host-side pinning: compares every complete tool listing of every server with the <see cref="CatalogLock"/>, quarantines what is new
/// or changed (its calls get <c>defaults.unknownTool</c> or <c>defaults.changedTool</c>, reasons <c>catalog:new</c> and
/// <c>catalog:changed</c>) until a person approves it, and reports every change with a semantic diff (to the log, to
/// <see cref="ChangeDetected"/>, and in <see cref="GetPendingChanges"/>). Only the changed tool is quarantined, not its server; a change
/// of the server's instructions quarantines the whole server or is only flagged (<see cref="CatalogGuardOptions.InstructionsChange"/>).
/// Quarantined tools are also hidden from the client's <c>tools/list</c> (as an <see cref="IToolListingFilter"/>, see
/// <see cref="IsListable"/>) unless <see cref="CatalogGuardOptions.HideQuarantinedTools"/> is false.
/// Registered by <c>AddCatalogLock</c>. Thread-safe. Fails closed: when checking a listing fails, the server's calls are blocked
/// (<c>catalog:error</c>) and its tools hidden until a listing is checked.
/// </summary>
public sealed partial class CatalogGuard : IToolListingFilter
{
    /// <summary>The approver recorded for a server's first listing under <see cref="CatalogGuardOptions.TrustOnFirstUse"/>.</summary>
    public const string TrustOnFirstUseApprover = "trust-on-first-use";

    private readonly object _gate = new();
    private readonly Dictionary<string, ServerState> _servers = new(StringComparer.Ordinal);
    private readonly CatalogGuardOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly HashSet<string> _knownAtStart;
    private volatile CatalogLock _lock;

    /// <summary>Creates a guard, loading the lock file when one is configured.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="defaults">The policy defaults: <see cref="PolicyDefaults.UnknownTool"/> and <see cref="PolicyDefaults.ChangedTool"/> are the quarantine risks.</param>
    /// <param name="logger">The logger; null for none.</param>
    /// <param name="timeProvider">The clock for approval and detection times; null for the system clock.</param>
    /// <exception cref="CatalogLockException">The lock file is invalid or its signature does not match.</exception>
    public CatalogGuard(CatalogGuardOptions options, PolicyDefaults? defaults = null, ILogger<CatalogGuard>? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        defaults ??= new PolicyDefaults();
        UnknownToolRisk = defaults.UnknownTool;
        ChangedToolRisk = defaults.ChangedTool;
        _lock = options.LockFilePath is { } path && File.Exists(path)
            ? CatalogLockFile.Load(path, options.SigningKey)
            : options.InitialLock ?? CatalogLock.Empty;
        _knownAtStart = new HashSet<string>(_lock.Servers.Keys, StringComparer.Ordinal);
    }

    /// <summary>Raised for each change the first time it is seen (not again on every listing while it stays pending). Handlers run on the thread that recorded the listing; an exception in one is logged and ignored.</summary>
    public event EventHandler<CatalogChangeEventArgs>? ChangeDetected;

    /// <summary>The current lock, including approvals made since the guard started.</summary>
    public CatalogLock Lock => _lock;

    /// <summary>The risk of a call to a listed tool the lock does not approve.</summary>
    public RiskLevel UnknownToolRisk { get; }

    /// <summary>The risk of a call to a tool whose definition differs from the approved one.</summary>
    public RiskLevel ChangedToolRisk { get; }

    /// <summary>Starts watching a tool catalog's listings (done by <c>AddCatalogLock</c> for the host's catalog).</summary>
    /// <param name="catalog">The catalog.</param>
    public void Attach(ToolCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        catalog.Updated += (_, e) => ObserveTools(e.ServerId, e.Tools);
    }

    /// <summary>The changes waiting for approval (and removals waiting to be acknowledged), ordered by server, then tool.</summary>
    /// <param name="serverId">One server only; null for all.</param>
    /// <returns>A snapshot of the pending changes.</returns>
    public IReadOnlyList<CatalogChange> GetPendingChanges(string? serverId = null)
    {
        var list = new List<CatalogChange>();
        lock (_gate)
        {
            foreach (var (id, state) in _servers)
            {
                if (serverId is null || string.Equals(id, serverId, StringComparison.Ordinal))
                {
                    list.AddRange(state.Pending.Values);
                }
            }
        }

        list.Sort(static (a, b) =>
        {
            var c = string.CompareOrdinal(a.ServerId, b.ServerId);
            return c != 0 ? c : string.CompareOrdinal(a.Key, b.Key);
        });
        return list;
    }

    /// <summary>
    /// Compares a complete tool listing with the lock and records what differs. Called for every listing the host's catalog records;
    /// call it yourself for tools learned elsewhere.
    /// </summary>
    /// <param name="serverId">The host-configured server id.</param>
    /// <param name="tools">Every tool the server lists now.</param>
    public void ObserveTools(string serverId, IEnumerable<ToolDescriptor> tools)
    {
        ArgumentException.ThrowIfNullOrEmpty(serverId);
        ArgumentNullException.ThrowIfNull(tools);
        List<CatalogChange> fresh;
        lock (_gate)
        {
            var state = State(serverId);
            try
            {
                fresh = Review(serverId, state, tools.ToList());
                state.Faulted = false;
            }
#pragma warning disable CA1031 // Fail closed: the server's calls are blocked until a listing is checked.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                state.Faulted = true;
                LogReviewFailed(_logger, serverId, ex);
                return;
            }
        }

        Publish(fresh);
    }

    /// <summary>
    /// Compares a server's instructions (from the initialize or discover result, such as <c>McpClient.ServerInstructions</c>) with the
    /// approved hash. A difference is a pending <see cref="CatalogChangeKind.InstructionsChanged"/> change.
    /// </summary>
    /// <param name="serverId">The host-configured server id.</param>
    /// <param name="instructions">The instructions; null or empty for none.</param>
    public void ObserveInstructions(string serverId, string? instructions)
    {
        ArgumentException.ThrowIfNullOrEmpty(serverId);
        var live = CatalogHash.Instructions(instructions);
        CatalogChange? fresh = null;
        lock (_gate)
        {
            var state = State(serverId);
            var server = _lock.Servers.GetValueOrDefault(serverId);
            if (TrustsFirstUse(serverId) && !state.InstructionsTrusted)
            {
                state.InstructionsTrusted = true;
                var pinnedFirst = _lock.SetInstructions(serverId, live is null ? null : new LockedHash(live, TrustOnFirstUseApprover, _time.GetUtcNow()));
                SaveIfConfigured(pinnedFirst);
                _lock = pinnedFirst;
                return;
            }

            var pinned = server?.Instructions?.Hash;
            if (string.Equals(pinned, live, StringComparison.Ordinal))
            {
                state.Pending.Remove("instructions");
                return;
            }

            if (state.Pending.TryGetValue("instructions", out var existing) && string.Equals(existing.LiveHash, live, StringComparison.Ordinal))
            {
                return;
            }

            var message = live is null
                ? "the server no longer gives instructions"
                : $"the server's instructions changed; they now read: {TextDiff.Visible(instructions!.Length > 2000 ? instructions[..2000] + "…" : instructions)}";
            var change = new CatalogChange(serverId, CatalogChangeKind.InstructionsChanged, null, null, pinned, live,
                [new DefinitionDifference("instructions", "/instructions", message, ChangeSeverity.Medium)], _time.GetUtcNow(), null);
            state.Pending[change.Key] = change;
            fresh = change;
        }

        Publish([fresh]);
    }

    /// <summary>Approves one pending change: pins the live definition (or removes a removed tool, or pins the instructions) and restores calls.</summary>
    /// <param name="change">The change, as reviewed (from <see cref="GetPendingChanges"/> or <see cref="ChangeDetected"/>).</param>
    /// <param name="approvedBy">Who approves it (recorded in the lock).</param>
    /// <exception cref="InvalidOperationException">The change is no longer pending as reviewed (approved already, or the server changed again): review the current one.</exception>
    /// <exception cref="IOException">Saving the lock file failed; nothing was approved.</exception>
    public void Approve(CatalogChange change, string approvedBy)
    {
        ArgumentNullException.ThrowIfNull(change);
        ArgumentException.ThrowIfNullOrWhiteSpace(approvedBy);
        lock (_gate)
        {
            var state = State(change.ServerId);
            if (!state.Pending.TryGetValue(change.Key, out var current) || !string.Equals(current.LiveHash, change.LiveHash, StringComparison.Ordinal) || current.Kind != change.Kind)
            {
                throw new InvalidOperationException($"The change '{change.Summary}' of server '{change.ServerId}' is no longer pending as reviewed: it was approved already or the server changed again. Review the current pending changes.");
            }

            var updated = Apply(_lock, current, approvedBy, _time.GetUtcNow());
            SaveIfConfigured(updated);
            _lock = updated;
            state.Pending.Remove(current.Key);
        }

        LogApproved(_logger, change.ServerId, change.Summary, approvedBy);
    }

    /// <summary>Approves the pending change of one tool (new, changed, renamed to this name, or removed).</summary>
    /// <param name="serverId">The host-configured server id.</param>
    /// <param name="toolName">The tool's name (for a rename, the new name).</param>
    /// <param name="approvedBy">Who approves it.</param>
    /// <returns>The approved change; null when nothing about that tool was pending.</returns>
    public CatalogChange? ApproveTool(string serverId, string toolName, string approvedBy)
    {
        ArgumentException.ThrowIfNullOrEmpty(serverId);
        ArgumentNullException.ThrowIfNull(toolName);
        CatalogChange? change;
        lock (_gate)
        {
            var pending = State(serverId).Pending;
            if (!pending.TryGetValue("tool:" + toolName, out change))
            {
                pending.TryGetValue("removed:" + toolName, out change);
            }

            if (change is not null)
            {
                Approve(change, approvedBy);
            }
        }

        return change;
    }

    /// <summary>Approves every pending change (of one server, or of all).</summary>
    /// <param name="approvedBy">Who approves them.</param>
    /// <param name="serverId">One server only; null for all.</param>
    /// <returns>The approved changes.</returns>
    public IReadOnlyList<CatalogChange> ApproveAll(string approvedBy, string? serverId = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(approvedBy);
        lock (_gate)
        {
            var pending = GetPendingChanges(serverId);
            if (pending.Count == 0)
            {
                return pending;
            }

            // One save for all of them: either every change is approved, or (when saving fails) none.
            var now = _time.GetUtcNow();
            var updated = _lock;
            foreach (var change in pending)
            {
                updated = Apply(updated, change, approvedBy, now);
            }

            SaveIfConfigured(updated);
            _lock = updated;
            foreach (var change in pending)
            {
                State(change.ServerId).Pending.Remove(change.Key);
                LogApproved(_logger, change.ServerId, change.Summary, approvedBy);
            }

            return pending;
        }
    }

    /// <summary>Writes the current lock to <see cref="CatalogGuardOptions.LockFilePath"/> (signed when a key is configured).</summary>
    /// <exception cref="InvalidOperationException">No lock file is configured.</exception>
    public void Save()
    {
        var path = _options.LockFilePath ?? throw new InvalidOperationException("No lock file is configured: set CatalogGuardOptions.LockFilePath.");
        lock (_gate)
        {
            CatalogLockFile.Save(_lock, path, _options.SigningKey);
        }
    }

    /// <summary>
    /// Whether the client may see <paramref name="tool"/> in a listing: false while the tool is quarantined (not in the lock, its definition
    /// hash differs from the approved one, its server's instructions changed under <see cref="InstructionsChangeMode.QuarantineServer"/>,
    /// or the server's last listing could not be checked), so the model never reads a new or changed definition before a person approved
    /// it. Always true when <see cref="CatalogGuardOptions.HideQuarantinedTools"/> is false. The tool is judged from the definition given,
    /// against the lock directly, so a listing can be filtered before the guard reviews it. The first listing of a server trusted on first
    /// use is shown (it is pinned as listed). A hidden tool stays in the catalog and its calls are still refused; after approval, the
    /// next listing shows it again.
    /// </summary>
    /// <param name="serverId">The host-configured server id.</param>
    /// <param name="tool">The tool as listed now.</param>
    /// <returns>True to show the tool.</returns>
    public bool IsListable(string serverId, ToolDescriptor tool)
    {
        ArgumentException.ThrowIfNullOrEmpty(serverId);
        ArgumentNullException.ThrowIfNull(tool);
        if (!_options.HideQuarantinedTools)
        {
            return true;
        }

        if (TrustsFirstUse(serverId))
        {
            lock (_gate)
            {
                if (!_servers.TryGetValue(serverId, out var state) || !state.ToolsTrusted)
                {
                    // This listing is the first: the guard pins it as listed once it is recorded.
                    return true;
                }
            }
        }

        return Check(serverId, tool, out _) == Quarantine.None;
    }

    /// <summary>
    /// What the lock says about a call to a listed tool; used by the catalog rules. The allow path takes one uncontended lock
    /// and allocates nothing; the pending change (for the denial's message) is looked up only when the tool is quarantined.
    /// </summary>
    internal Quarantine Check(string serverId, ToolDescriptor tool, out CatalogChange? change)
    {
        change = null;
        var instructionsPending = false;
        lock (_gate)
        {
            if (_servers.TryGetValue(serverId, out var state))
            {
                if (state.Faulted)
                {
                    return Quarantine.Faulted;
                }

                instructionsPending = state.Pending.ContainsKey("instructions");
            }
        }

        Quarantine verdict;
        if (!_lock.TryGetTool(serverId, tool.Name, out var locked))
        {
            verdict = Quarantine.New;
        }
        else if (!string.Equals(locked.Hash, tool.DefinitionHash, StringComparison.Ordinal))
        {
            verdict = Quarantine.Changed;
        }
        else
        {
            return instructionsPending && _options.InstructionsChange == InstructionsChangeMode.QuarantineServer ? Quarantine.Instructions : Quarantine.None;
        }

        lock (_gate)
        {
            if (_servers.TryGetValue(serverId, out var state))
            {
                state.Pending.TryGetValue("tool:" + tool.Name, out change);
            }
        }

        return verdict;
    }

    private List<CatalogChange> Review(string serverId, ServerState state, List<ToolDescriptor> tools)
    {
        var now = _time.GetUtcNow();
        var server = _lock.Servers.GetValueOrDefault(serverId);
        if (TrustsFirstUse(serverId) && !state.ToolsTrusted)
        {
            var pinned = _lock;
            foreach (var tool in tools)
            {
                if (tool.ProtocolTool is { } protocol)
                {
                    pinned = pinned.SetTool(serverId, LockedTool.Create(protocol, TrustOnFirstUseApprover, now));
                }
            }

            SaveIfConfigured(pinned);
            _lock = pinned;
            state.ToolsTrusted = true;
            LogTrustedFirstUse(_logger, serverId, tools.Count);
            return [];
        }

        var computed = new Dictionary<string, CatalogChange>(StringComparer.Ordinal);
        var added = new List<(ToolDescriptor Tool, JsonElement? Definition)>();
        var live = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tool in tools)
        {
            live.Add(tool.Name);
            var definition = tool.ProtocolTool is { } protocol ? LockedTool.Serialize(protocol) : (JsonElement?)null;
            if (server is null || !server.ToolsByName.TryGetValue(tool.Name, out var locked))
            {
                added.Add((tool, definition));
                continue;
            }

            if (!string.Equals(locked.Hash, tool.DefinitionHash, StringComparison.Ordinal))
            {
                var diff = definition is { } d ? DefinitionDiff.Compare(locked.Definition, d) : NoDefinition(tool.Name);
                Add(computed, new CatalogChange(serverId, CatalogChangeKind.Changed, tool.Name, null, locked.Hash, tool.DefinitionHash, diff, now, tool.ProtocolTool));
            }
        }

        var removed = new List<LockedTool>();
        if (server is not null)
        {
            foreach (var (name, locked) in server.ToolsByName)
            {
                if (!live.Contains(name))
                {
                    removed.Add(locked);
                }
            }
        }

        // A removed tool and a new one with the same input schema: a rename. Pair them one to one, in name order.
        added.Sort(static (a, b) => string.CompareOrdinal(a.Tool.Name, b.Tool.Name));
        foreach (var gone in removed)
        {
            var goneSchema = SchemaKey(gone.Definition);
            var match = added.FindIndex(a => a.Definition is { } d && string.Equals(SchemaKey(d), goneSchema, StringComparison.Ordinal));
            if (match < 0)
            {
                Add(computed, new CatalogChange(serverId, CatalogChangeKind.Removed, gone.Name, null, gone.Hash, null,
                    [new DefinitionDifference("removed", "", $"the server no longer lists '{TextDiff.Visible(gone.Name)}'", ChangeSeverity.Low)], now, null));
                continue;
            }

            var (tool, definition) = added[match];
            added.RemoveAt(match);
            Add(computed, new CatalogChange(serverId, CatalogChangeKind.Renamed, tool.Name, gone.Name, gone.Hash, tool.DefinitionHash, DefinitionDiff.Compare(gone.Definition, definition!.Value), now, tool.ProtocolTool));
        }

        foreach (var (tool, definition) in added)
        {
            var diff = definition is { } d ? DefinitionDiff.Compare(null, d) : NoDefinition(tool.Name);
            Add(computed, new CatalogChange(serverId, CatalogChangeKind.Added, tool.Name, null, null, tool.DefinitionHash, diff, now, tool.ProtocolTool));
        }

        // Keep what was already pending as it was (same first-seen time); report only what is new.
        var fresh = new List<CatalogChange>();
        var next = new Dictionary<string, CatalogChange>(StringComparer.Ordinal);
        foreach (var (key, change) in computed)
        {
            if (state.Pending.TryGetValue(key, out var known) && known.Kind == change.Kind
                && string.Equals(known.LiveHash, change.LiveHash, StringComparison.Ordinal) && string.Equals(known.PinnedHash, change.PinnedHash, StringComparison.Ordinal))
            {
                next[key] = known;
            }
            else
            {
                next[key] = change;
                fresh.Add(change);
            }
        }

        if (state.Pending.TryGetValue("instructions", out var instructions))
        {
            next["instructions"] = instructions;
        }

        state.Pending = next;
        fresh.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return fresh;
    }

    private static CatalogLock Apply(CatalogLock catalogLock, CatalogChange change, string approvedBy, DateTimeOffset now)
    {
        switch (change.Kind)
        {
            case CatalogChangeKind.Removed:
                return catalogLock.RemoveTool(change.ServerId, change.ToolName!);
            case CatalogChangeKind.InstructionsChanged:
                return catalogLock.SetInstructions(change.ServerId, change.LiveHash is { } hash ? new LockedHash(hash, approvedBy, now) : null);
            default:
                var tool = change.LiveTool ?? throw new InvalidOperationException($"The live definition of '{change.ToolName}' is not known (the catalog entry was not made from a tools/list result), so it cannot be pinned.");
                var updated = catalogLock.SetTool(change.ServerId, LockedTool.Create(tool, approvedBy, now));
                return change.PreviousName is { } previous ? updated.RemoveTool(change.ServerId, previous) : updated;
        }
    }

    private void SaveIfConfigured(CatalogLock catalogLock)
    {
        if (_options.SaveOnApprove && _options.LockFilePath is { } path)
        {
            CatalogLockFile.Save(catalogLock, path, _options.SigningKey);
        }
    }

    private void Publish(List<CatalogChange> changes)
    {
        foreach (var change in changes)
        {
            LogChange(_logger, change.ServerId, change.Kind, change.ToolName ?? "(instructions)", change.Severity, change.Summary);
            try
            {
                ChangeDetected?.Invoke(this, new CatalogChangeEventArgs(change));
            }
#pragma warning disable CA1031 // A subscriber's failure must not stop the guard from recording the listing.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogSubscriberFailed(_logger, change.ServerId, ex);
            }
        }
    }

    /// <summary>Trust on first use applies only to servers the lock did not know when the guard started.</summary>
    private bool TrustsFirstUse(string serverId) => _options.TrustOnFirstUse && !_knownAtStart.Contains(serverId);

    private ServerState State(string serverId)
    {
        if (!_servers.TryGetValue(serverId, out var state))
        {
            state = new ServerState();
            _servers[serverId] = state;
        }

        return state;
    }

    private static void Add(Dictionary<string, CatalogChange> changes, CatalogChange change) => changes[change.Key] = change;

    private static IReadOnlyList<DefinitionDifference> NoDefinition(string name)
        => [new DefinitionDifference("definition-unknown", "", $"the definition of '{TextDiff.Visible(name)}' is not known to the guard, so it cannot be compared", ChangeSeverity.Medium)];

    private static string SchemaKey(JsonElement definition)
        => definition.ValueKind == JsonValueKind.Object && definition.TryGetProperty("inputSchema", out var schema) && schema.ValueKind == JsonValueKind.Object
            ? CanonicalJson.Sha256(schema)
            : "";

    [LoggerMessage(EventId = 350, Level = LogLevel.Warning, Message = "Catalog change on server {ServerId}: {Kind} {Tool} ({Severity}): {Summary}")]
    private static partial void LogChange(ILogger logger, string serverId, CatalogChangeKind kind, string tool, ChangeSeverity severity, string summary);

    [LoggerMessage(EventId = 351, Level = LogLevel.Information, Message = "Catalog change on server {ServerId} approved by {ApprovedBy}: {Summary}")]
    private static partial void LogApproved(ILogger logger, string serverId, string summary, string approvedBy);

    [LoggerMessage(EventId = 352, Level = LogLevel.Error, Message = "Could not check the tool listing of server {ServerId} against the catalog lock; its calls are blocked until a listing is checked")]
    private static partial void LogReviewFailed(ILogger logger, string serverId, Exception exception);

    [LoggerMessage(EventId = 353, Level = LogLevel.Information, Message = "Pinned the first listing of server {ServerId} ({Count} tools) as trust-on-first-use")]
    private static partial void LogTrustedFirstUse(ILogger logger, string serverId, int count);

    [LoggerMessage(EventId = 354, Level = LogLevel.Error, Message = "A ChangeDetected handler failed for server {ServerId}")]
    private static partial void LogSubscriberFailed(ILogger logger, string serverId, Exception exception);

    internal enum Quarantine
    {
        None,
        New,
        Changed,
        Instructions,
        Faulted,
    }

    private sealed class ServerState
    {
        public Dictionary<string, CatalogChange> Pending { get; set; } = new(StringComparer.Ordinal);

        public bool Faulted { get; set; }

        /// <summary>The first listing of a server unknown at start was pinned (trust on first use).</summary>
        public bool ToolsTrusted { get; set; }

        /// <summary>The first instructions of a server unknown at start were pinned (trust on first use).</summary>
        public bool InstructionsTrusted { get; set; }
    }
}
