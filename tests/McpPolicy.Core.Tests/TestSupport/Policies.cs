namespace McpPolicy.Core.Tests.TestSupport;

/// <summary>Builds evaluators for tests.</summary>
internal static class Policies
{
    /// <summary>An evaluator over a policy built in code.</summary>
    public static PolicyEvaluator Evaluator(Action<McpPolicyOptions> configure, params IPolicyRule[] rules)
    {
        var options = new McpPolicyOptions();
        configure(options);
        return new PolicyEvaluator(options, rules);
    }

    /// <summary>An evaluator over a JSON policy document.</summary>
    public static PolicyEvaluator FromJson(string json, params IPolicyRule[] rules)
        => new(PolicyLoader.FromJson(json), rules);

    /// <summary>The ids of a decision's reasons, in order.</summary>
    public static string[] Ids(this PolicyDecision decision) => decision.Reasons.Select(r => r.Id).ToArray();
}
