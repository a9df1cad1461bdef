namespace McpPolicy;

/// <summary>The <c>flows</c> section: built-in information-flow rules, enforced by McpPolicy.Chains (<c>AddFlowRules()</c>).</summary>
public sealed class FlowPolicy
{
    /// <summary>
    /// The risk of a call to an <see cref="FlowLabels.ExternalSink"/> tool in a conversation that has already run an
    /// <see cref="FlowLabels.UntrustedSource"/> tool and a <see cref="FlowLabels.PrivateData"/> tool. Default: High.
    /// </summary>
    public RiskLevel UntrustedThenPrivateThenSink { get; set; } = RiskLevel.High;

    /// <summary>Value-level taint: fragments of untrusted or private results that reappear in later arguments.</summary>
    public TaintPolicy Taint { get; } = new();
}
