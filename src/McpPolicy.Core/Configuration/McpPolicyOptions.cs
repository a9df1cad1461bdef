namespace McpPolicy;

/// <summary>
/// The declarative policy: defaults, server trust, per-tool risk with argument constraints, conditional rules and approval
/// settings. Fill it from code, from an <c>IConfiguration</c> section or from a policy file; all three compile to the same form.
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
}
