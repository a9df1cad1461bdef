using Microsoft.Extensions.Logging;

namespace McpPolicy;

/// <summary>Writes each audit record as one structured log message (source-generated): denials as warnings, the rest as information, intents as debug.</summary>
public sealed partial class AuditLogSink : IAuditSink
{
    private readonly ILogger _logger;

    /// <summary>Creates the sink.</summary>
    /// <param name="logger">The logger (category <c>McpPolicy.AuditLogSink</c>).</param>
    public AuditLogSink(ILogger<AuditLogSink> logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        _logger = logger;
    }

    /// <inheritdoc />
    public ValueTask WriteAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var rule = record.Result?.DenialRuleId ?? (record.Reasons.Count > 0 ? DecisiveId(record) : "-");
        var risk = record.Risk?.ToString() ?? "-";
        if (record.Type == AuditRecordType.Intent)
        {
            LogIntent(_logger, record.ServerId, record.Tool, risk, record.Approval?.Approver ?? "-", record.RequestId, record.ArgumentsDigest);
        }
        else if (record.Outcome is AuditOutcome.Denied or AuditOutcome.Withheld)
        {
            LogDenied(_logger, record.ServerId, record.Tool, record.Outcome, risk, rule, record.Duration.TotalMilliseconds, record.RequestId, record.ConversationId, record.PrincipalSubject, record.PolicyVersion, record.ArgumentsDigest);
        }
        else
        {
            LogAllowed(_logger, record.ServerId, record.Tool, record.Outcome, risk, rule, record.Duration.TotalMilliseconds, record.RequestId, record.ConversationId, record.PrincipalSubject, record.PolicyVersion, record.ArgumentsDigest);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask FlushAsync(bool durable, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    private static string DecisiveId(AuditRecord record)
    {
        foreach (var reason in record.Reasons)
        {
            if (reason.Risk == record.Risk)
            {
                return reason.Id;
            }
        }

        return record.Reasons[^1].Id;
    }

    [LoggerMessage(EventId = 820, Level = LogLevel.Information, Message = "Tool call {Server}/{Tool}: {Outcome} at risk {Risk} (rule {RuleId}) in {DurationMs} ms; request {RequestId}, conversation {ConversationId}, principal {Principal}, policy {PolicyVersion}, arguments {ArgumentsDigest}.")]
    private static partial void LogAllowed(ILogger logger, string server, string tool, AuditOutcome outcome, string risk, string ruleId, double durationMs, string? requestId, string? conversationId, string? principal, string? policyVersion, string? argumentsDigest);

    [LoggerMessage(EventId = 821, Level = LogLevel.Warning, Message = "Tool call {Server}/{Tool}: {Outcome} at risk {Risk} (rule {RuleId}) in {DurationMs} ms; request {RequestId}, conversation {ConversationId}, principal {Principal}, policy {PolicyVersion}, arguments {ArgumentsDigest}.")]
    private static partial void LogDenied(ILogger logger, string server, string tool, AuditOutcome outcome, string risk, string ruleId, double durationMs, string? requestId, string? conversationId, string? principal, string? policyVersion, string? argumentsDigest);

    [LoggerMessage(EventId = 822, Level = LogLevel.Debug, Message = "Tool call {Server}/{Tool} at risk {Risk}, approved by {Approver}, is about to run; request {RequestId}, arguments {ArgumentsDigest}.")]
    private static partial void LogIntent(ILogger logger, string server, string tool, string risk, string approver, string? requestId, string? argumentsDigest);
}
