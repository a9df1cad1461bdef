using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace McpPolicy;

/// <summary>The span per call and the metric instruments (names in <see cref="McpPolicyTelemetry"/>).</summary>
internal sealed class AuditTelemetry : IDisposable
{
    private readonly ActivitySource _source;
    private readonly Meter _meter;
    private readonly Counter<long> _decisions;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _approvals;
    private readonly Counter<long> _blocked;
    private readonly Counter<long> _writeFailures;

    public AuditTelemetry(IMeterFactory? meterFactory = null)
    {
        var version = typeof(AuditTelemetry).Assembly.GetName().Version?.ToString();
        _source = new ActivitySource(McpPolicyTelemetry.ActivitySourceName, version);
        _meter = meterFactory?.Create(McpPolicyTelemetry.MeterName, version) ?? new Meter(McpPolicyTelemetry.MeterName, version);
        _decisions = _meter.CreateCounter<long>(McpPolicyTelemetry.DecisionsCounter, "{decision}", "Tool-call decisions by outcome and risk.");
        _duration = _meter.CreateHistogram<double>(McpPolicyTelemetry.DurationHistogram, "s", "Duration of tool calls through the policy pipeline.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 120] });
        _approvals = _meter.CreateCounter<long>(McpPolicyTelemetry.ApprovalsCounter, "{approval}", "Approvals of high-risk calls, approved or refused.");
        _blocked = _meter.CreateCounter<long>(McpPolicyTelemetry.BlockedCounter, "{call}", "Denied calls by the rule that denied them.");
        _writeFailures = _meter.CreateCounter<long>(McpPolicyTelemetry.AuditWriteFailuresCounter, "{record}", "Audit records that could not be written.");
    }

    public Activity? Start(ToolInvocationContext context)
    {
        if (!_source.HasListeners())
        {
            return null;
        }

        var activity = _source.StartActivity(string.Concat("execute_tool ", context.ToolName), ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("gen_ai.operation.name", "execute_tool");
            activity.SetTag("gen_ai.tool.name", context.ToolName);
            activity.SetTag("mcp_policy.server_id", context.ServerId);
            if (context.RequestId is { } id)
            {
                activity.SetTag("gen_ai.tool.call.id", id);
            }

            if (context.ConversationId is { } conversation)
            {
                activity.SetTag("gen_ai.conversation.id", conversation);
            }
        }

        return activity;
    }

    public void Complete(Activity? activity, AuditRecord record)
    {
        var outcome = OutcomeTag(record.Outcome);
        var risk = record.Risk is { } r ? RiskTag(r) : "none";
        string? errorType = record.Outcome is AuditOutcome.Denied or AuditOutcome.Withheld ? "mcp_policy.denied"
            : record.Result is { IsError: true } ? "tool_error" : null;
        if (activity is not null)
        {
            if (activity.IsAllDataRequested)
            {
                activity.SetTag("mcp_policy.outcome", outcome);
                activity.SetTag("mcp_policy.risk", risk);
                if (record.PolicyVersion is { } version)
                {
                    activity.SetTag("mcp_policy.policy_version", version);
                }

                if (record.Result?.DenialRuleId is { } rule)
                {
                    activity.SetTag("mcp_policy.rule_id", rule);
                }

                if (errorType is not null)
                {
                    activity.SetTag("error.type", errorType);
                    activity.SetStatus(ActivityStatusCode.Error);
                }
            }

            activity.Dispose();
        }

        _decisions.Add(1, new KeyValuePair<string, object?>("mcp_policy.outcome", outcome), new KeyValuePair<string, object?>("mcp_policy.risk", risk));
        var tags = new TagList
        {
            { "gen_ai.operation.name", "execute_tool" },
            { "gen_ai.tool.name", record.Tool },
            { "mcp_policy.outcome", outcome },
        };
        if (errorType is not null)
        {
            tags.Add("error.type", errorType);
        }

        _duration.Record(record.Duration.TotalSeconds, tags);
        if (record.Approval is { } approval)
        {
            _approvals.Add(1, new KeyValuePair<string, object?>("mcp_policy.approval.result", approval.IsApproved ? "approved" : "refused"));
        }
        else if (record.Risk == RiskLevel.High && record.Outcome == AuditOutcome.Denied)
        {
            _approvals.Add(1, new KeyValuePair<string, object?>("mcp_policy.approval.result", "refused"));
        }

        if (record.Outcome is AuditOutcome.Denied or AuditOutcome.Withheld)
        {
            _blocked.Add(1, new KeyValuePair<string, object?>("mcp_policy.rule_id", record.Result?.DenialRuleId ?? "policy-error"));
        }
    }

    public void WriteFailed() => _writeFailures.Add(1);

    public void Dispose()
    {
        _source.Dispose();
        _meter.Dispose();
    }

    private static string OutcomeTag(AuditOutcome outcome) => outcome switch
    {
        AuditOutcome.Allowed => "allowed",
        AuditOutcome.Approved => "approved",
        AuditOutcome.Denied => "denied",
        _ => "withheld",
    };

    private static string RiskTag(RiskLevel risk) => risk switch
    {
        RiskLevel.Low => "low",
        RiskLevel.Medium => "medium",
        RiskLevel.High => "high",
        _ => "block",
    };
}
