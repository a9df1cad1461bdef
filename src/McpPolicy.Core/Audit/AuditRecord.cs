using System.Globalization;
using System.Text.Json;

namespace McpPolicy;

/// <summary>
/// One audit record: who called which tool with which arguments (by digest), what the policy decided and why, who approved,
/// and what came back. The file sink adds the chain fields (<c>seq</c>, <c>prev</c>, <c>mac</c>); see docs/audit.md.
/// </summary>
public sealed class AuditRecord
{
    /// <summary>The kind of record.</summary>
    public AuditRecordType Type { get; init; }

    /// <summary>When the record was made: when the call finished (or, for an intent, when it was about to run).</summary>
    public DateTimeOffset Time { get; init; }

    /// <summary>The JSON-RPC request id, as text.</summary>
    public string? RequestId { get; init; }

    /// <summary>The conversation the call belongs to.</summary>
    public string? ConversationId { get; init; }

    /// <summary>The caller's subject (<c>sub</c>, else name identifier, else name claim).</summary>
    public string? PrincipalSubject { get; init; }

    /// <summary>The calling client (<c>client_id</c>, else <c>azp</c> claim).</summary>
    public string? ClientId { get; init; }

    /// <summary>The host-configured server id.</summary>
    public required string ServerId { get; init; }

    /// <summary>The tool name (not server-qualified).</summary>
    public required string Tool { get; init; }

    /// <summary>The definition hash of the tool the gate knew, or null for an unknown tool.</summary>
    public string? ToolDefinitionHash { get; init; }

    /// <summary>SHA-256 of the RFC 8785 canonical form of the arguments (lower-case hex), or null when they are not I-JSON.</summary>
    public string? ArgumentsDigest { get; init; }

    /// <summary>The arguments, when <see cref="AuditOptions.Arguments"/> keeps them (redacted as configured).</summary>
    public JsonElement? Arguments { get; init; }

    /// <summary>The version (content hash) of the policy that decided; null when no decision was made.</summary>
    public string? PolicyVersion { get; init; }

    /// <summary>The final risk; null when no decision was made.</summary>
    public RiskLevel? Risk { get; init; }

    /// <summary>What happened to the call.</summary>
    public AuditOutcome Outcome { get; init; }

    /// <summary>Every reason behind the decision, in evaluation order.</summary>
    public IReadOnlyList<PolicyReason> Reasons { get; init; } = [];

    /// <summary>The approval the call carried, if any.</summary>
    public AuditApproval? Approval { get; init; }

    /// <summary>How long the call took through the pipeline (zero for an intent).</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>What the caller got back; null for an intent.</summary>
    public AuditResultStatus? Result { get; init; }

    /// <summary>True when the call reached the tool.</summary>
    public bool ToolInvoked { get; init; }

    /// <summary>Writes the record's fields (without the chain fields) into an open JSON object.</summary>
    /// <param name="writer">The writer, positioned inside an object.</param>
    public void WriteProperties(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteString("type", Type == AuditRecordType.Intent ? "intent" : "decision");
        writer.WriteString("time", FormatTime(Time));
        WriteOptional(writer, "requestId", RequestId);
        WriteOptional(writer, "conversationId", ConversationId);
        if (PrincipalSubject is not null || ClientId is not null)
        {
            writer.WriteStartObject("principal");
            WriteOptional(writer, "subject", PrincipalSubject);
            WriteOptional(writer, "client", ClientId);
            writer.WriteEndObject();
        }

        writer.WriteString("serverId", ServerId);
        writer.WriteString("tool", Tool);
        WriteOptional(writer, "toolDefinitionHash", ToolDefinitionHash);
        WriteOptional(writer, "argumentsDigest", ArgumentsDigest);
        if (Arguments is { } arguments)
        {
            writer.WritePropertyName("arguments");
            arguments.WriteTo(writer);
        }

        WriteOptional(writer, "policyVersion", PolicyVersion);
        if (Risk is { } risk)
        {
            writer.WriteString("risk", risk.ToString());
        }

        writer.WriteString("outcome", Outcome.ToString());
        writer.WriteStartArray("reasons");
        foreach (var reason in Reasons)
        {
            writer.WriteStartObject();
            writer.WriteString("id", reason.Id);
            writer.WriteString("message", reason.Message);
            writer.WriteString("risk", reason.Risk.ToString());
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        if (Approval is { } approval)
        {
            writer.WriteStartObject("approval");
            writer.WriteString("approver", approval.Approver);
            writer.WriteString("time", FormatTime(approval.Time));
            writer.WriteString("digest", approval.Digest);
            writer.WriteBoolean("approved", approval.IsApproved);
            writer.WriteEndObject();
        }

        if (Type == AuditRecordType.Decision)
        {
            writer.WriteNumber("durationUs", (long)Math.Round(Duration.TotalMicroseconds));
        }

        if (Result is { } result)
        {
            writer.WriteStartObject("result");
            writer.WriteBoolean("isError", result.IsError);
            writer.WriteNumber("size", result.Size);
            WriteOptional(writer, "ruleId", result.DenialRuleId);
            writer.WriteEndObject();
        }

        writer.WriteBoolean("toolInvoked", ToolInvoked);
    }

    internal static string FormatTime(DateTimeOffset time)
        => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static void WriteOptional(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }
}
