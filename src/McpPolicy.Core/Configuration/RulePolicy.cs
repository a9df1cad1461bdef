namespace McpPolicy;

/// <summary>A <c>rules</c> entry: raises matching calls to <see cref="Risk"/> when every condition in <see cref="When"/> holds.</summary>
public sealed class RulePolicy
{
    /// <summary>Creates an empty rule (for binders).</summary>
    public RulePolicy()
    {
    }

    /// <summary>Creates a rule.</summary>
    /// <param name="id">A unique id, shown in decisions.</param>
    /// <param name="match">A glob on <c>server/tool</c>.</param>
    /// <param name="risk">The risk when the rule holds.</param>
    public RulePolicy(string id, string match, RiskLevel risk)
    {
        Id = id;
        Match = match;
        Risk = risk;
    }

    /// <summary>A unique id, shown in decisions and audit records.</summary>
    public string Id { get; set; } = "";

    /// <summary>A glob on <c>server/tool</c>. Default: every tool (<c>*/*</c>).</summary>
    public string Match { get; set; } = "*/*";

    /// <summary>Conditions on arguments, keyed by argument name or JSON Pointer; the rule holds when all hold. Empty: always holds.</summary>
    public IDictionary<string, ArgumentCondition> When { get; } = new Dictionary<string, ArgumentCondition>(StringComparer.Ordinal);

    /// <summary>The risk matching calls get when the rule holds.</summary>
    public RiskLevel Risk { get; set; } = RiskLevel.High;

    /// <summary>An explanation shown in decisions.</summary>
    public string? Reason { get; set; }

    /// <summary>Where the rule was defined, for error messages.</summary>
    public string? Source { get; set; }
}
