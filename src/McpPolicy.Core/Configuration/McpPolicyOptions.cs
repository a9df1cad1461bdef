namespace McpPolicy;

/// <summary>
/// The declarative policy: defaults, server trust, per-tool risk with argument constraints, conditional rules, approval
/// settings, flow labels, chains and flows. Fill it from code, from an <c>IConfiguration</c> section or from a policy file; all three compile to the same form.
/// </summary>
public sealed class McpPolicyOptions
{
    /// <summary>The policy format version; only 1 is defined.</summary>
    public int Version { get; set; } = 1;

    /// <summary>Risks for calls no tools entry covers, unknown tools and changed tools.</summary>
    public PolicyDefaults Defaults { get; } = new();

    /// <summary>Per-server settings, keyed by the host-configured server id. A server not listed is untrusted.</summary>
    public IDictionary<string, ServerPolicy> Servers { get; } = new Dictionary<string, ServerPolicy>(StringComparer.Ordinal);

    /// <summary>Per-tool entries: the most specific match sets the base risk; every match's argument constraints apply.</summary>
    public IList<ToolPolicy> Tools { get; } = [];

    /// <summary>Conditional rules that raise the risk when their condition holds.</summary>
    public IList<RulePolicy> Rules { get; } = [];

    /// <summary>How approvals of HIGH calls behave.</summary>
    public ApprovalPolicy Approval { get; } = new();

    /// <summary>
    /// Flow labels per tool, keyed by a glob on <c>server/tool</c>; a tool gets the labels of every matching entry. A tool
    /// no entry matches takes its labels from <c>[FlowLabel]</c> or from its annotation hints. Enforced by McpPolicy.Chains.
    /// </summary>
    public IDictionary<string, FlowLabels> Labels { get; } = new Dictionary<string, FlowLabels>(StringComparer.Ordinal);

    /// <summary>Sequence rules: ordered tool calls in one conversation that raise the call completing them. Enforced by McpPolicy.Chains.</summary>
    public IList<ChainPolicy> Chains { get; } = [];

    /// <summary>Built-in flow rules and value-level taint. Enforced by McpPolicy.Chains.</summary>
    public FlowPolicy Flows { get; } = new();

    /// <summary>Rate limits, concurrency, per-call timeouts and per-conversation budgets. Enforced by <see cref="LimitFilter"/>.</summary>
    public LimitsPolicy Limits { get; } = new();

    /// <summary>Scopes disabled by configuration (<c>all</c>, <c>server:&lt;id&gt;</c>, <c>server/tool</c> globs), on top of those set through <see cref="IKillSwitch"/>.</summary>
    public IList<KillSwitchEntry> KillSwitch { get; } = [];
}
