using System.Collections.Concurrent;
using System.Collections.Frozen;

namespace McpPolicy.Engine;

/// <summary>
/// The immutable, indexed form of a policy. Exact names are looked up in a dictionary, patterns are bucketed by their
/// server segment, and the resolved <see cref="ToolPlan"/> for each name is memoised, so a call costs two hash lookups
/// plus its own argument checks however large the policy is.
/// </summary>
internal sealed class CompiledPolicy
{
    /// <summary>Plans are memoised for at most this many distinct names, so made-up tool names cannot grow memory without bound.</summary>
    internal const int MaxCachedPlans = 16_384;

    private readonly FrozenDictionary<string, bool> _trusted;
    private readonly FrozenDictionary<string, CompiledToolEntry[]> _exact;
    private readonly FrozenDictionary<string, CompiledToolEntry[]> _byServer;
    private readonly CompiledToolEntry[] _anyServer;
    private readonly FrozenDictionary<string, CompiledRule[]> _rulesByServer;
    private readonly CompiledRule[] _rulesAnyServer;
    private readonly ConcurrentDictionary<(string Server, string Tool), ToolPlan> _plans = new();
    private int _planCount;

    // The plan of the last name asked for: a call to the same tool as the one before (the common case) compares two short strings
    // instead of hashing them. Written racily on purpose: every plan is immutable and a stale one is for the names it carries.
    private ToolPlan? _last;

    public CompiledPolicy(
        string version,
        McpPolicyOptions options,
        IReadOnlyDictionary<string, bool> trusted,
        CompiledToolEntry[] tools,
        CompiledRule[] rules)
    {
        Version = version;
        Tools = tools;
        Rules = rules;
        Approval = new ApprovalPolicy { Timeout = options.Approval.Timeout, SingleUse = options.Approval.SingleUse };
        var d = options.Defaults;
        DefaultReason = new PolicyReason("defaults.risk", $"no tools entry matches this tool; the default risk is {d.Risk}", d.Risk);
        UnknownToolReason = new PolicyReason("defaults.unknownTool", $"the tool is not in the server's tool list; unknown tools are rated {d.UnknownTool}", d.UnknownTool);
        ChangedToolRisk = d.ChangedTool;
        DeclaredReasons = Enum.GetValues<RiskLevel>().Select(r => new PolicyReason("attribute:ToolRisk", $"the tool's author rated it {r}", r)).ToArray();
        TrustedReadOnlyReason = new PolicyReason("annotation:readOnly", "the trusted server marks this tool read-only", RiskLevel.Low);
        TrustedDestructiveReason = new PolicyReason("annotation:destructive", "the trusted server marks this tool destructive", RiskLevel.High);
        HintDestructive = new PolicyReason("annotation:destructive", "the server does not mark this tool read-only or non-destructive, so it is treated as destructive", RiskLevel.High);
        HintWrite = new PolicyReason("annotation:write", "the server does not mark this tool read-only, so it may change state", RiskLevel.Medium);
        HintOpenWorld = new PolicyReason("annotation:openWorld", "the tool reaches an open world (untrusted content), by its hints or their defaults", RiskLevel.Medium);

        _trusted = trusted.ToFrozenDictionary(StringComparer.Ordinal);
        _exact = tools.Where(t => t.Glob.IsExact)
            .GroupBy(t => t.Glob.Text, StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
        _byServer = tools.Where(t => !t.Glob.IsExact && t.Glob.ServerIsLiteral)
            .GroupBy(t => t.Glob.Server, StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
        _anyServer = tools.Where(t => !t.Glob.ServerIsLiteral).ToArray();
        _rulesByServer = rules.Where(r => r.Glob is { ServerIsLiteral: true })
            .GroupBy(r => r.Glob!.Server, StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
        _rulesAnyServer = rules.Where(r => r.Glob is null || !r.Glob.ServerIsLiteral).ToArray();
    }

    public string Version { get; }

    public CompiledToolEntry[] Tools { get; }

    /// <summary>All rules in evaluation order (ordinal by id).</summary>
    public CompiledRule[] Rules { get; }

    public ApprovalPolicy Approval { get; }

    public PolicyReason DefaultReason { get; }

    public PolicyReason UnknownToolReason { get; }

    public RiskLevel ChangedToolRisk { get; }

    public PolicyReason[] DeclaredReasons { get; }

    public PolicyReason TrustedReadOnlyReason { get; }

    public PolicyReason TrustedDestructiveReason { get; }

    public PolicyReason HintDestructive { get; }

    public PolicyReason HintWrite { get; }

    public PolicyReason HintOpenWorld { get; }

    public bool IsTrusted(string serverId) => _trusted.TryGetValue(serverId, out var t) && t;

    /// <summary>The plan for a name, from the memo or resolved through the index.</summary>
    public ToolPlan GetPlan(string server, string tool)
    {
        var last = _last;
        if (last is not null && string.Equals(last.Tool, tool, StringComparison.Ordinal) && string.Equals(last.Server, server, StringComparison.Ordinal))
        {
            return last;
        }

        if (_plans.TryGetValue((server, tool), out var plan))
        {
            _last = plan;
            return plan;
        }

        plan = BuildIndexedPlan(server, tool);
        // ConcurrentDictionary.Count takes every lock, so the bound is kept with a counter instead (it may overshoot by the number of racing threads).
        if (Volatile.Read(ref _planCount) < MaxCachedPlans)
        {
            if (_plans.TryAdd((server, tool), plan))
            {
                Interlocked.Increment(ref _planCount);
            }
            else if (_plans.TryGetValue((server, tool), out var existing))
            {
                plan = existing;
            }
        }

        return plan;
    }

    /// <summary>Resolves a plan through the index (exact names, then server buckets, then wildcard-server patterns).</summary>
    internal ToolPlan BuildIndexedPlan(string server, string tool)
    {
        var matches = new List<CompiledToolEntry>();
        if (_exact.TryGetValue(string.Concat(server, "/", tool), out var exact))
        {
            matches.AddRange(exact);
        }

        if (_byServer.TryGetValue(server, out var bucket))
        {
            foreach (var entry in bucket)
            {
                if (entry.Glob.MatchesTool(tool))
                {
                    matches.Add(entry);
                }
            }
        }

        foreach (var entry in _anyServer)
        {
            if (entry.Glob.Matches(server, tool))
            {
                matches.Add(entry);
            }
        }

        var rules = new List<CompiledRule>();
        if (_rulesByServer.TryGetValue(server, out var ruleBucket))
        {
            foreach (var rule in ruleBucket)
            {
                if (rule.Glob!.MatchesTool(tool))
                {
                    rules.Add(rule);
                }
            }
        }

        foreach (var rule in _rulesAnyServer)
        {
            if (rule.Glob is null || rule.Glob.Matches(server, tool))
            {
                rules.Add(rule);
            }
        }

        matches.Sort((a, b) => a.Index.CompareTo(b.Index));
        rules.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        return MakePlan(server, tool, matches, rules);
    }

    /// <summary>Resolves a plan by scanning every entry and rule: the reference the index must agree with.</summary>
    internal ToolPlan BuildLinearPlan(string server, string tool)
    {
        var matches = Tools.Where(t => t.Glob.Matches(server, tool)).ToList();
        var rules = Rules.Where(r => r.Glob is null || r.Glob.Matches(server, tool)).ToList();
        return MakePlan(server, tool, matches, rules);
    }

    private ToolPlan MakePlan(string server, string tool, List<CompiledToolEntry> matches, List<CompiledRule> rules)
    {
        CompiledToolEntry? best = null;
        foreach (var m in matches)
        {
            if (best is null || m.IsMoreSpecificThan(best))
            {
                best = m;
            }
        }

        var overlays = matches.Where(m => m.SchemaOverlay is not null).OrderBy(m => m.Index).Select(m => m.SchemaOverlay!).ToArray();
        return new ToolPlan(server, tool, IsTrusted(server), best, matches.Where(m => m.Constraints.Length > 0).ToArray(), rules.ToArray(), overlays);
    }
}
