using McpPolicy.Core.Tests.TestSupport;
using Microsoft.Extensions.Logging;

namespace McpPolicy.Core.Tests.Audit;

/// <summary>The logger sink: one structured message per record, denials as warnings.</summary>
public sealed class AuditLogSinkTests
{
    [Fact]
    public async Task Allowed_records_are_information_denials_are_warnings_and_intents_are_debug()
    {
        var logger = new ListLogger<AuditLogSink>();
        var sink = new AuditLogSink(logger);
        var allowed = AuditFiles.Record(1);
        var denied = new AuditRecord
        {
            ServerId = "bank", Tool = "delete", Risk = RiskLevel.Block, Outcome = AuditOutcome.Denied, RequestId = "9",
            Reasons = [new PolicyReason("tools[2]", "no deleting", RiskLevel.Block)], Result = new AuditResultStatus(true, 10, "tools[2]"),
        };
        var intent = new AuditRecord
        {
            Type = AuditRecordType.Intent, ServerId = "bank", Tool = "send_money", Risk = RiskLevel.High, Outcome = AuditOutcome.Approved,
            Approval = new AuditApproval("alice", DateTimeOffset.UnixEpoch, new string('d', 64), true),
        };

        await sink.WriteAsync(allowed, CancellationToken.None);
        await sink.WriteAsync(denied, CancellationToken.None);
        await sink.WriteAsync(intent, CancellationToken.None);

        var entries = logger.Entries;
        Assert.Equal(LogLevel.Information, entries[0].Level);
        Assert.Contains("bank/get_balance: Allowed", entries[0].Message, StringComparison.Ordinal);
        Assert.Equal(LogLevel.Warning, entries[1].Level);
        Assert.Contains("bank/delete: Denied at risk Block (rule tools[2])", entries[1].Message, StringComparison.Ordinal);
        Assert.Equal(LogLevel.Debug, entries[2].Level);
        Assert.Contains("approved by alice", entries[2].Message, StringComparison.Ordinal);
    }
}
