namespace McpPolicy;

/// <summary>
/// The names McpPolicy uses for OpenTelemetry: subscribe with <c>AddSource(McpPolicyTelemetry.ActivitySourceName)</c> and
/// <c>AddMeter(McpPolicyTelemetry.MeterName)</c>. Spans and the duration histogram follow the OpenTelemetry GenAI tool-execution
/// conventions (<c>execute_tool {gen_ai.tool.name}</c>, <c>gen_ai.execute_tool.duration</c>); policy facts use the <c>mcp_policy.</c>
/// prefix. The full list is in docs/audit.md.
/// </summary>
public static class McpPolicyTelemetry
{
    /// <summary>The <see cref="System.Diagnostics.ActivitySource"/> name: one span per tool call.</summary>
    public const string ActivitySourceName = "McpPolicy";

    /// <summary>The <see cref="System.Diagnostics.Metrics.Meter"/> name.</summary>
    public const string MeterName = "McpPolicy";

    /// <summary>Counter of decisions, tagged <c>mcp_policy.outcome</c> and <c>mcp_policy.risk</c>.</summary>
    public const string DecisionsCounter = "mcp_policy.decisions";

    /// <summary>Histogram of call durations through the pipeline, in seconds (GenAI convention name).</summary>
    public const string DurationHistogram = "gen_ai.execute_tool.duration";

    /// <summary>Counter of approvals, tagged <c>mcp_policy.approval.result</c> (<c>approved</c> or <c>refused</c>).</summary>
    public const string ApprovalsCounter = "mcp_policy.approvals";

    /// <summary>Counter of denied calls, tagged <c>mcp_policy.rule_id</c> (the rule that blocked).</summary>
    public const string BlockedCounter = "mcp_policy.blocked";

    /// <summary>Counter of audit records (or flushes) that failed to be written.</summary>
    public const string AuditWriteFailuresCounter = "mcp_policy.audit.write_failures";
}
