using System.Buffers;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpPolicy;

/// <summary>Builds audit records from a call's context. Everything a record holds is copied out of the context, so it stays valid after the call.</summary>
internal sealed class AuditRecordFactory
{
    private const int MaxRedactionDepth = 64;

    /// <summary>The largest digest buffer a thread keeps for its next call (bytes).</summary>
    private const int MaxRetainedDigestBuffer = 64 * 1024;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_digestBuffer;

    private readonly AuditOptions _options;
    private readonly HashSet<string> _redacted;

    public AuditRecordFactory(AuditOptions options)
    {
        _options = options;
        _redacted = new HashSet<string>(options.RedactedArgumentNames, StringComparer.OrdinalIgnoreCase);
    }

    public AuditRecord Create(ToolInvocationContext context, AuditRecordType type, DateTimeOffset now, TimeSpan duration, bool failed)
    {
        var decision = context.Decision;
        var result = type == AuditRecordType.Decision ? context.Result : null;
        var (subject, client) = Identify(context.Principal);
        JsonElement arguments = default;
        var hasArguments = false;
        try
        {
            arguments = context.Arguments.ToJsonElement();
            hasArguments = true;
        }
#pragma warning disable CA1031 // An unreadable argument set is recorded without a digest, never lost.
        catch (Exception)
#pragma warning restore CA1031
        {
        }

        return new AuditRecord
        {
            Type = type,
            Time = now,
            RequestId = context.RequestId,
            ConversationId = context.ConversationId,
            PrincipalSubject = subject,
            ClientId = client,
            ServerId = context.ServerId,
            Tool = context.ToolName,
            ToolDefinitionHash = context.Tool?.DefinitionHash,
            ArgumentsDigest = hasArguments ? Digest(arguments) : null,
            Arguments = hasArguments ? KeptArguments(arguments) : null,
            PolicyVersion = decision?.PolicyVersion,
            Risk = decision?.Risk,
            Outcome = type == AuditRecordType.Intent ? OutcomeOfIntent(context) : OutcomeOf(context, failed),
            Reasons = decision?.Reasons ?? [],
            Approval = context.Approval is { } grant ? new AuditApproval(grant.Approver, now, grant.Digest, grant.IsApproved) : null,
            Duration = duration,
            Result = type == AuditRecordType.Intent ? null : Status(result, failed),
            ToolInvoked = context.ToolInvoked,
        };
    }

    internal static AuditOutcome OutcomeOf(ToolInvocationContext context, bool failed)
    {
        if (failed || context.Result is null)
        {
            return context.ToolInvoked ? AuditOutcome.Withheld : AuditOutcome.Denied;
        }

        if (!context.ToolInvoked)
        {
            return AuditOutcome.Denied;
        }

        if (Denials.IsDenial(context.Result))
        {
            return AuditOutcome.Withheld;
        }

        return context.Approval is { IsApproved: true } ? AuditOutcome.Approved : AuditOutcome.Allowed;
    }

    private static AuditOutcome OutcomeOfIntent(ToolInvocationContext context)
        => context.Approval is { IsApproved: true } ? AuditOutcome.Approved : AuditOutcome.Allowed;

    private static AuditResultStatus Status(CallToolResult? result, bool failed)
    {
        if (result is null || failed)
        {
            return new AuditResultStatus(true, 0, "policy-error");
        }

        long size = 0;
        foreach (var block in result.Content)
        {
            size += block is TextContentBlock text
                ? Encoding.UTF8.GetByteCount(text.Text)
                : JsonSerializer.SerializeToUtf8Bytes(block, McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(ContentBlock))).Length;
        }

        if (result.StructuredContent is { } structured)
        {
            size += JsonSerializer.SerializeToUtf8Bytes(structured, McpJsonUtilities.DefaultOptions.GetTypeInfo(structured.GetType())).Length;
        }

        string? rule = null;
        if (result is { IsError: true, Meta: { } meta } && meta.TryGetPropertyValue(McpPolicyMetaKeys.RuleId, out var node) && node is not null)
        {
            rule = node.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : null;
        }

        return new AuditResultStatus(result.IsError == true, size, rule);
    }

    private static (string? Subject, string? Client) Identify(ClaimsPrincipal? principal)
    {
        if (principal is null)
        {
            return (null, null);
        }

        var subject = principal.FindFirst("sub")?.Value ?? principal.FindFirst(ClaimTypes.NameIdentifier)?.Value ?? principal.Identity?.Name;
        var client = principal.FindFirst("client_id")?.Value ?? principal.FindFirst("azp")?.Value;
        return (subject, client);
    }

    /// <summary>
    /// <see cref="CanonicalJson.Sha256"/> of the arguments, written into a buffer this thread reuses rather than a new, growing one per
    /// call (most of the calling thread's audit allocations). The buffer is wiped after each use, so no argument bytes stay behind,
    /// and one that grew past <see cref="MaxRetainedDigestBuffer"/> is dropped.
    /// </summary>
    private static string? Digest(JsonElement arguments)
    {
        var buffer = t_digestBuffer ?? new ArrayBufferWriter<byte>(1024);
        t_digestBuffer = null;
        try
        {
            CanonicalJsonWriter.WriteValue(buffer, arguments);
            return CanonicalJson.HashHex(buffer.WrittenSpan);
        }
        catch (ArgumentException)
        {
            return null;
        }
        finally
        {
            buffer.Clear();
            if (buffer.Capacity <= MaxRetainedDigestBuffer)
            {
                t_digestBuffer = buffer;
            }
        }
    }

    private JsonElement? KeptArguments(JsonElement arguments)
    {
        switch (_options.Arguments)
        {
            case AuditArgumentsMode.Full:
                return arguments.Clone();
            case AuditArgumentsMode.Redacted:
                var buffer = new ArrayBufferWriter<byte>(256);
                using (var writer = new Utf8JsonWriter(buffer))
                {
                    WriteRedacted(writer, arguments, 0);
                }

                using (var document = JsonDocument.Parse(buffer.WrittenMemory))
                {
                    return document.RootElement.Clone();
                }

            default:
                return null;
        }
    }

    private void WriteRedacted(Utf8JsonWriter writer, JsonElement value, int depth)
    {
        if (depth > MaxRedactionDepth)
        {
            writer.WriteStringValue("[too deep]");
            return;
        }

        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in value.EnumerateObject())
                {
                    writer.WritePropertyName(property.Name);
                    if (_redacted.Contains(property.Name))
                    {
                        writer.WriteStringValue("[redacted]");
                    }
                    else
                    {
                        WriteRedacted(writer, property.Value, depth + 1);
                    }
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in value.EnumerateArray())
                {
                    WriteRedacted(writer, item, depth + 1);
                }

                writer.WriteEndArray();
                break;
            default:
                value.WriteTo(writer);
                break;
        }
    }
}
