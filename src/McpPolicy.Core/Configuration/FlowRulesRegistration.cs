namespace McpPolicy;

/// <summary>
/// The sign that the policy's <c>labels</c>, <c>chains</c> and <c>flows</c> are enforced: McpPolicy.Chains registers it in
/// <c>AddFlowRules()</c>. Without it, start-up validation rejects a policy that has chains, non-default flow settings, or labels that
/// nothing else uses, since they would otherwise be ignored without a word.
/// </summary>
public sealed class FlowRulesRegistration
{
}
