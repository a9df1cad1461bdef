using Xunit;

namespace McpPolicy.Core.Tests.Audit;

/// <summary>
/// Pins the <see cref="AuditRecord.ArgumentsDigest"/> the record factory computes (SHA-256 of the RFC 8785 form, lower-case hex)
/// for fixed argument sets (values checked against an independent RFC 8785 + SHA-256 computation), so a change to how the digest is computed cannot change its value. The values were taken from the
/// implementation before its buffer reuse and are also checked against <see cref="CanonicalJson.Sha256"/>.
/// </summary>
public sealed class AuditDigestTests
{
    private static readonly string Big = "{\"big\":\"" + new string('x', 100_000) + "\",\"n\":1}";

    public static TheoryData<string, string?> Cases => new()
    {
        { "{}", "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a" },
        { """{"b":[1,2.50,"x\u0000\n"],"a":{"z":true,"y":null},"\u00e9":"\u00fc\ud83d\ude00"}""", "fc2290752b37cf069224e66dcaa627129e6583324bf796c1b3109a2b50da64f0" },
        { """{"folder":"projects/q4-planning","title":"Weekly sync","priority":2,"pinned":false,"tags":["planning","team"],"n":1e21}""", "d03ccd08e36ea1ae77d2980f7b4163832599ac3fe8c18b2f8e1dfdd67a9b5658" },
        { Big, "a6bec1dc22dee78454c2d7c6a196af666c6661722bbaef6c210375f143f1528d" },
        { """{"n":1e400}""", null },
        { """{"s":"\ud800"}""", null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Digest_is_the_pinned_sha256_of_the_canonical_arguments(string json, string? expected)
    {
        Assert.Equal(expected, DigestOf(json));
    }

    [Fact]
    public void Digests_in_sequence_do_not_leak_bytes_between_calls()
    {
        // Large, not I-JSON, then small and again large: each digest equals the one computed on its own.
        string[] inputs = [Big, """{"n":1e400}""", """{"k":"v"}""", "{}", Big, """{"k":"v"}"""];
        foreach (var json in inputs)
        {
            var parsed = ToolArguments.Parse(json).ToJsonElement();
            string? alone;
            try
            {
                alone = CanonicalJson.Sha256(parsed);
            }
            catch (ArgumentException)
            {
                alone = null;
            }

            Assert.Equal(alone, DigestOf(json));
        }
    }

    private static string? DigestOf(string json)
    {
        var factory = new AuditRecordFactory(new AuditOptions());
        var context = new ToolInvocationContext("notes", "create_note", ToolArguments.Parse(json), new ToolDescriptor("create_note")) { RequestId = "1" };
        return factory.Create(context, AuditRecordType.Decision, DateTimeOffset.UnixEpoch, TimeSpan.Zero, failed: false).ArgumentsDigest;
    }
}
