using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace McpPolicy;

/// <summary>
/// Writes a record's chain line directly in RFC 8785 canonical form (members in key order, JCS string escaping, integers only),
/// without building and re-parsing a JSON document. Must produce exactly what <see cref="CanonicalJson"/> would for the same
/// object: <see cref="AuditVerifier"/> rejects any line that is not canonical, and the tests verify every line written.
/// </summary>
internal static class AuditLineWriter
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The canonical bytes of a record's line without <c>mac</c>.</summary>
    public static byte[] Unsigned(AuditRecord record, long seq, string prev)
    {
        var w = new ArrayBufferWriter<byte>(768);
        var first = true;
        w.Write("{"u8);

        // Top-level keys in canonical order: approval, arguments, argumentsDigest, conversationId, durationUs, (mac), outcome,
        // policyVersion, prev, principal, reasons, requestId, result, risk, seq, serverId, time, tool, toolDefinitionHash, toolInvoked, type.
        if (record.Approval is { } approval)
        {
            Key(w, ref first, "approval"u8);
            w.Write("{\"approved\":"u8);
            w.Write(approval.IsApproved ? "true"u8 : "false"u8);
            w.Write(",\"approver\":"u8);
            String(w, approval.Approver);
            w.Write(",\"digest\":"u8);
            String(w, approval.Digest);
            w.Write(",\"time\":"u8);
            String(w, AuditRecord.FormatTime(approval.Time));
            w.Write("}"u8);
        }

        if (record.Arguments is { } arguments)
        {
            Key(w, ref first, "arguments"u8);
            CanonicalJsonWriter.WriteValue(w, arguments);
        }

        OptionalString(w, ref first, "argumentsDigest"u8, record.ArgumentsDigest);
        OptionalString(w, ref first, "conversationId"u8, record.ConversationId);
        if (record.Type == AuditRecordType.Decision)
        {
            Key(w, ref first, "durationUs"u8);
            Integer(w, (long)Math.Round(record.Duration.TotalMicroseconds));
        }

        Key(w, ref first, "outcome"u8);
        String(w, record.Outcome.ToString());
        OptionalString(w, ref first, "policyVersion"u8, record.PolicyVersion);
        Key(w, ref first, "prev"u8);
        String(w, prev);
        if (record.PrincipalSubject is not null || record.ClientId is not null)
        {
            Key(w, ref first, "principal"u8);
            w.Write("{"u8);
            var inner = true;
            OptionalString(w, ref inner, "client"u8, record.ClientId);
            OptionalString(w, ref inner, "subject"u8, record.PrincipalSubject);
            w.Write("}"u8);
        }

        Key(w, ref first, "reasons"u8);
        w.Write("["u8);
        for (var i = 0; i < record.Reasons.Count; i++)
        {
            var reason = record.Reasons[i];
            w.Write(i == 0 ? "{\"id\":"u8 : ",{\"id\":"u8);
            String(w, reason.Id);
            w.Write(",\"message\":"u8);
            String(w, reason.Message);
            w.Write(",\"risk\":"u8);
            String(w, reason.Risk.ToString());
            w.Write("}"u8);
        }

        w.Write("]"u8);
        OptionalString(w, ref first, "requestId"u8, record.RequestId);
        if (record.Result is { } result)
        {
            Key(w, ref first, "result"u8);
            w.Write("{\"isError\":"u8);
            w.Write(result.IsError ? "true"u8 : "false"u8);
            if (result.DenialRuleId is { } rule)
            {
                w.Write(",\"ruleId\":"u8);
                String(w, rule);
            }

            w.Write(",\"size\":"u8);
            Integer(w, result.Size);
            w.Write("}"u8);
        }

        if (record.Risk is { } risk)
        {
            Key(w, ref first, "risk"u8);
            String(w, risk.ToString());
        }

        Key(w, ref first, "seq"u8);
        Integer(w, seq);
        Key(w, ref first, "serverId"u8);
        String(w, record.ServerId);
        Key(w, ref first, "time"u8);
        String(w, AuditRecord.FormatTime(record.Time));
        Key(w, ref first, "tool"u8);
        String(w, record.Tool);
        OptionalString(w, ref first, "toolDefinitionHash"u8, record.ToolDefinitionHash);
        Key(w, ref first, "toolInvoked"u8);
        w.Write(record.ToolInvoked ? "true"u8 : "false"u8);
        Key(w, ref first, "type"u8);
        w.Write(record.Type == AuditRecordType.Intent ? "\"intent\""u8 : "\"decision\""u8);
        w.Write("}"u8);
        return w.WrittenSpan.ToArray();
    }

    private static void Key(ArrayBufferWriter<byte> w, ref bool first, ReadOnlySpan<byte> name)
    {
        if (!first)
        {
            w.Write(","u8);
        }

        first = false;
        w.Write("\""u8);
        w.Write(name);
        w.Write("\":"u8);
    }

    private static void OptionalString(ArrayBufferWriter<byte> w, ref bool first, ReadOnlySpan<byte> name, string? value)
    {
        if (value is not null)
        {
            Key(w, ref first, name);
            String(w, value);
        }
    }

    /// <summary>Integers within ±2^53 have the canonical (ECMAScript) form of their decimal digits.</summary>
    private static void Integer(ArrayBufferWriter<byte> w, long value)
    {
        if (value is > 9007199254740991 or < -9007199254740991)
        {
            throw new ArgumentOutOfRangeException(nameof(value), "An audit integer must be within ±2^53.");
        }

        var span = w.GetSpan(20);
        Utf8Formatter.TryFormat(value, span, out var written);
        w.Advance(written);
    }

    /// <summary>RFC 8785 strings: escape only '"', '\', and control characters (short forms where JSON has them); everything else as UTF-8.</summary>
    private static void String(ArrayBufferWriter<byte> w, string value)
    {
        w.Write("\""u8);
        var start = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c >= 0x20 && c != '"' && c != '\\')
            {
                continue;
            }

            Literal(w, value.AsSpan(start, i - start));
            switch (c)
            {
                case '"': w.Write("\\\""u8); break;
                case '\\': w.Write("\\\\"u8); break;
                case '\b': w.Write("\\b"u8); break;
                case '\f': w.Write("\\f"u8); break;
                case '\n': w.Write("\\n"u8); break;
                case '\r': w.Write("\\r"u8); break;
                case '\t': w.Write("\\t"u8); break;
                default:
                    w.Write("\\u00"u8);
                    var hex = w.GetSpan(2);
                    hex[0] = (byte)"0123456789abcdef"[c >> 4];
                    hex[1] = (byte)"0123456789abcdef"[c & 0xF];
                    w.Advance(2);
                    break;
            }

            start = i + 1;
        }

        Literal(w, value.AsSpan(start));
        w.Write("\""u8);
    }

    private static void Literal(ArrayBufferWriter<byte> w, ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return;
        }

        try
        {
            var span = w.GetSpan(StrictUtf8.GetMaxByteCount(text.Length));
            w.Advance(StrictUtf8.GetBytes(text, span));
        }
        catch (EncoderFallbackException ex)
        {
            throw new ArgumentException("A string with an unpaired surrogate is not I-JSON, so it cannot be audited in canonical form.", ex);
        }
    }
}
