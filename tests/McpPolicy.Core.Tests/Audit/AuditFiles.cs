using System.Text.Json;

namespace McpPolicy.Core.Tests.Audit;

/// <summary>Writes real audit chains with <see cref="AuditFileSink"/> for the tests.</summary>
internal static class AuditFiles
{
    public static readonly byte[] Key = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

    public static readonly string KeyBase64 = Convert.ToBase64String(Key);

    public static AuditOptions Options(string directory, Action<AuditOptions>? configure = null)
    {
        var options = new AuditOptions { Path = Path.Combine(directory, "audit.jsonl"), Key = KeyBase64, Fsync = AuditFsyncPolicy.None };
        configure?.Invoke(options);
        return options;
    }

    public static AuditRecord Record(int i, string? text = null) => new()
    {
        Time = new DateTimeOffset(2026, 11, 21, 8, 0, 0, TimeSpan.Zero).AddSeconds(i),
        RequestId = "r" + i,
        ConversationId = "c1",
        ServerId = "bank",
        Tool = i % 3 == 0 ? "send_money" : "get_balance",
        ArgumentsDigest = new string('a', 64),
        PolicyVersion = "v1",
        Risk = (RiskLevel)(i % 3),
        Outcome = AuditOutcome.Allowed,
        Reasons = [new PolicyReason("tools[0]", text ?? "because", RiskLevel.Low)],
        Duration = TimeSpan.FromMilliseconds(i),
        Result = new AuditResultStatus(false, i, null),
        ToolInvoked = true,
    };

    /// <summary>Writes <paramref name="count"/> records through a sink that is then disposed (sealed); returns the chain's files.</summary>
    public static async Task<IReadOnlyList<string>> WriteAsync(string directory, int count, Action<AuditOptions>? configure = null, Func<int, string?>? text = null)
    {
        var options = Options(directory, configure);
        await using (var sink = new AuditFileSink(options))
        {
            for (var i = 0; i < count; i++)
            {
                await sink.WriteAsync(Record(i, text?.Invoke(i)), CancellationToken.None);
            }

            await sink.FlushAsync(durable: true, CancellationToken.None);
        }

        return AuditFileSink.ChainFiles(options.Path!);
    }

    public static List<JsonElement> ReadLines(IEnumerable<string> files)
        => files.SelectMany(File.ReadAllLines).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
}
