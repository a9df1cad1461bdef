namespace McpPolicy;

/// <summary>Evaluates tool calls against the compiled policy. Usable on its own (tests, tools) or through the filter pipeline.</summary>
public interface IPolicyEvaluator
{
    /// <summary>The content hash of the policy currently in force.</summary>
    string PolicyVersion { get; }

    /// <summary>The approval settings of the policy in force (timeout, single use).</summary>
    ApprovalPolicy Approval { get; }

    /// <summary>Decides one call. Never throws for a well-formed context: any failure inside the policy gives a BLOCK decision.</summary>
    /// <param name="context">The call.</param>
    /// <returns>The decision.</returns>
    PolicyDecision Evaluate(ToolInvocationContext context);

    /// <summary>
    /// The risk a known tool has whatever its arguments (its base risk, raised by untrusted hints). A tool whose listing
    /// risk is <see cref="RiskLevel.Block"/> is hidden from <c>tools/list</c> and denied on <c>tools/call</c>.
    /// </summary>
    /// <param name="serverId">The host-configured server id.</param>
    /// <param name="tool">The tool's definition.</param>
    /// <returns>The risk; <see cref="RiskLevel.Block"/> when evaluation fails.</returns>
    RiskLevel GetListingRisk(string serverId, ToolDescriptor tool);

    /// <summary>
    /// The schema overlays (<c>tools[].schema</c>) of every tools entry that matches <c>serverId/toolName</c>, in policy
    /// order; empty when none. Resolved once per name and memoised with the policy in force.
    /// </summary>
    /// <param name="serverId">The host-configured server id.</param>
    /// <param name="toolName">The tool's name.</param>
    /// <returns>The overlays; the list and its items are the same instances for every call while the policy is in force.</returns>
    IReadOnlyList<ToolSchemaOverlay> GetSchemaOverlays(string serverId, string toolName);
}
