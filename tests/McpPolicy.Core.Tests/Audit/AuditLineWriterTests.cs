using System.Buffers;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;

namespace McpPolicy.Core.Tests.Audit;

/// <summary>The direct canonical writer of record lines produces exactly what RFC 8785 canonicalization of the record gives.</summary>
public sealed class AuditLineWriterTests
{
    private static byte[] Reference(AuditRecord record, long seq, string prev)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            record.WriteProperties(writer);
            writer.WriteNumber("seq", seq);
            writer.WriteString("prev", prev);
            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return CanonicalJson.Serialize(document.RootElement);
    }

    private static string Clean(string? text) => text is null ? string.Empty : new string(text.Where(c => !char.IsSurrogate(c)).ToArray());

    [Fact]
    public void Any_record_is_written_in_the_same_canonical_form_as_the_reference()
    {
        Check.One(
            Config.QuickThrowOnFailure.WithMaxTest(500),
            Prop.ForAll(ArbMap.Default.ArbFor<string>(), ArbMap.Default.ArbFor<string>(), ArbMap.Default.ArbFor<int>(), (a, b, n) =>
            {
                var text = Clean(a);
                var other = Clean(b);
                using var arguments = JsonDocument.Parse(JsonSerializer.Serialize(new Dictionary<string, object?> { [other] = text, ["n"] = n, ["x"] = 1.5e-7, ["list"] = new object?[] { null, true, other } }));
                var full = n % 2 == 0;
                var record = new AuditRecord
                {
                    Type = full ? AuditRecordType.Decision : AuditRecordType.Intent,
                    Time = DateTimeOffset.UnixEpoch.AddTicks(Math.Abs((long)n) * 1_234_567),
                    RequestId = full ? text : null,
                    ConversationId = other,
                    PrincipalSubject = full ? other : null,
                    ClientId = n % 3 == 0 ? text : null,
                    ServerId = "s" + other,
                    Tool = text,
                    ToolDefinitionHash = full ? new string('d', 64) : null,
                    ArgumentsDigest = n % 5 == 0 ? null : new string('a', 64),
                    Arguments = full ? arguments.RootElement.Clone() : null,
                    PolicyVersion = full ? "v" : null,
                    Risk = full ? (RiskLevel)(Math.Abs(n) % 4) : null,
                    Outcome = (AuditOutcome)(Math.Abs(n) % 4),
                    Reasons = full ? [new PolicyReason(text, other, RiskLevel.High), new PolicyReason("b", "\u0001\u001f\"\\/\u007f\u2028", RiskLevel.Low)] : [],
                    Approval = n % 3 == 1 ? new AuditApproval(text, DateTimeOffset.UnixEpoch, other, n > 0) : null,
                    Duration = TimeSpan.FromTicks(Math.Abs((long)n)),
                    Result = full ? new AuditResultStatus(n > 0, Math.Abs((long)n), n % 4 == 0 ? other : null) : null,
                    ToolInvoked = n > 0,
                };

                var expected = Reference(record, Math.Abs((long)n), other);
                var actual = AuditLineWriter.Unsigned(record, Math.Abs((long)n), other);
                Assert.Equal(System.Text.Encoding.UTF8.GetString(expected), System.Text.Encoding.UTF8.GetString(actual));
            }));
    }

    [Fact]
    public void A_string_with_an_unpaired_surrogate_is_refused_as_not_IJSON()
    {
        var record = new AuditRecord { ServerId = "s", Tool = "bad\ud800tool" };
        Assert.Throws<ArgumentException>(() => AuditLineWriter.Unsigned(record, 0, "p"));
    }
}
