namespace McpPolicy;

/// <summary>
/// A <c>chains</c> entry: an ordered sequence of tool calls in one conversation that, completed by the current call,
/// raises that call to <see cref="Risk"/>. Enforced by McpPolicy.Chains (<c>AddFlowRules()</c>).
/// </summary>
public sealed class ChainPolicy
{
    /// <summary>Creates an empty chain (for binders).</summary>
    public ChainPolicy()
    {
    }

    /// <summary>Creates a chain of tool patterns.</summary>
    /// <param name="id">A unique id, shown in decisions as <c>chain:&lt;id&gt;</c>.</param>
    /// <param name="risk">The risk of the call that completes the chain.</param>
    /// <param name="sequence">The steps' globs on <c>server/tool</c>, in order; the last is the call being decided.</param>
    public ChainPolicy(string id, RiskLevel risk, params string[] sequence)
    {
        ArgumentNullException.ThrowIfNull(sequence);
        Id = id;
        Risk = risk;
        foreach (var match in sequence)
        {
            Sequence.Add(new ChainStepPolicy(match));
        }
    }

    /// <summary>A unique id among chains, shown in decisions as <c>chain:&lt;id&gt;</c>.</summary>
    public string Id { get; set; } = "";

    /// <summary>The steps, in order: earlier calls must match the steps before the last, in order; the current call matches the last.</summary>
    public IList<ChainStepPolicy> Sequence { get; } = [];

    /// <summary>When set, the whole chain (first step to current call, inclusive) must lie within this many calls of the conversation.</summary>
    public int? WithinCalls { get; set; }

    /// <summary>When set, the first step must have run no longer than this before the current call.</summary>
    public TimeSpan? WithinTime { get; set; }

    /// <summary>The risk of the call that completes the chain. Default: High.</summary>
    public RiskLevel Risk { get; set; } = RiskLevel.High;

    /// <summary>An explanation shown in decisions; the matched steps and calls are appended.</summary>
    public string? Reason { get; set; }

    /// <summary>Where the chain was defined, for error messages.</summary>
    public string? Source { get; set; }
}
