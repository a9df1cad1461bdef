using ModelContextProtocol.Protocol;

namespace McpPolicy;

/// <summary>Builds the <see cref="CallToolResult"/> a model sees when the policy refuses a call.</summary>
public static class Denials
{
    /// <summary>The <c>_meta</c>-free text prefix every denial starts with, so hosts and tests can recognise one.</summary>
    public const string Prefix = "Denied by policy";

    /// <summary>A denial for a decision: names the deciding rule and its reason.</summary>
    /// <param name="decision">The decision.</param>
    /// <returns>An error result.</returns>
    public static CallToolResult For(PolicyDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        var reason = decision.DecisiveReason;
        var text = decision.Outcome == PolicyOutcome.RequiresApproval
            ? $"{Prefix} (rule '{reason.Id}'): {reason.Message}. This call needs a human approval, which was not given."
            : $"{Prefix} (rule '{reason.Id}'): {reason.Message}.";
        return Error(text, reason.Id, decision.Risk);
    }

    /// <summary>A denial with an explicit rule id and message.</summary>
    /// <param name="ruleId">The rule or component that refused.</param>
    /// <param name="message">One sentence, safe to show to a model.</param>
    /// <returns>An error result.</returns>
    public static CallToolResult Create(string ruleId, string message) => Error($"{Prefix} (rule '{ruleId}'): {message}.", ruleId, risk: null);

    /// <summary>True when <paramref name="result"/> is a denial made by McpPolicy (it carries the rule id in its <c>_meta</c>).</summary>
    /// <param name="result">A tool result.</param>
    /// <returns>True for a policy denial.</returns>
    public static bool IsDenial(CallToolResult result)
        => result is { IsError: true, Meta: { } meta } && meta.ContainsKey(McpPolicyMetaKeys.RuleId);

    private static CallToolResult Error(string text, string ruleId, RiskLevel? risk)
    {
        var meta = new System.Text.Json.Nodes.JsonObject { [McpPolicyMetaKeys.RuleId] = ruleId };
        if (risk is { } r)
        {
            meta[McpPolicyMetaKeys.Risk] = r.ToString();
        }

        return new CallToolResult
        {
            IsError = true,
            Content = [new TextContentBlock { Text = text }],
            Meta = meta,
        };
    }
}
