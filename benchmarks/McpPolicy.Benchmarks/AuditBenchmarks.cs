using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Benchmarks;

/// <summary>
/// What the audit trail adds to one LOW call through the pipeline (decision included): <c>none</c> is the pipeline without audit;
/// <c>audit</c> adds the recording filter, the record (canonical-arguments digest, result size), the span and metrics (no listener)
/// and the in-memory enqueue, with a sink that discards records, so the background loop's work is not on the measured thread but
/// shares the machine's cores.
/// </summary>
[MemoryDiagnoser]
public class AuditOverheadBenchmarks
{
    private static readonly CallToolResult Result = new() { Content = [new TextContentBlock { Text = "balance: 1000" }] };
    private static readonly ToolArguments Arguments = ToolArguments.Parse("""{"account":"12345678","currency":"EUR","include":["pending","cleared"],"limit":50}""");
    private static readonly ToolDescriptor Tool = new("get_balance") { Hints = new ToolHints(ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false) };

    private ServiceProvider _provider = null!;
    private ToolInvocationPipeline _pipeline = null!;

    [Params("none", "audit")]
    public string Mode { get; set; } = "none";

    [GlobalSetup]
    public void Setup()
    {
        var services = new ServiceCollection();
        var builder = services.AddMcpPolicy(o => o.Tools.Add(new ToolPolicy("bank/*", RiskLevel.Low)));
        if (Mode == "audit")
        {
            builder.AddAudit(o => o.LogRecords = false).AddAuditSink(new DiscardingSink());
        }

        _provider = services.BuildServiceProvider();
        _pipeline = _provider.GetRequiredService<ToolInvocationPipeline>();
    }

    [GlobalCleanup]
    public void Cleanup() => _provider.Dispose();

    [Benchmark]
    public ValueTask<CallToolResult> CallLow()
    {
        var context = new ToolInvocationContext("bank", "get_balance", Arguments, Tool) { RequestId = "1", ConversationId = "c" };
        context.Invoker = static (_, _) => ValueTask.FromResult(Result);
        return _pipeline.InvokeAsync(context);
    }

    private sealed class DiscardingSink : IAuditSink
    {
        public ValueTask WriteAsync(AuditRecord record, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask FlushAsync(bool durable, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}

/// <summary>
/// Audit file append throughput: records written by <see cref="AuditFileSink"/> (chain MAC, canonical JSON, file write) without
/// fsync and with an fsync per record, and through <see cref="AuditWriter"/> (enqueue from the caller, written by the background
/// loop, then drained). Each iteration starts a fresh file, so disk use stays bounded. Records/s = 1e9 / (ns per operation).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 15)]
public class AuditAppendBenchmarks
{
    private const int Records = 2_000;
    private const int FsyncRecords = 100;

    private readonly AuditRecord _record = new()
    {
        Time = DateTimeOffset.UnixEpoch,
        RequestId = "42",
        ConversationId = "conversation-1",
        PrincipalSubject = "user-7",
        ServerId = "bank",
        Tool = "send_money",
        ToolDefinitionHash = new string('d', 64),
        ArgumentsDigest = new string('a', 64),
        PolicyVersion = new string('b', 64),
        Risk = RiskLevel.Medium,
        Outcome = AuditOutcome.Allowed,
        Reasons = [new PolicyReason("tools[3]", "payments are audited", RiskLevel.Medium)],
        Duration = TimeSpan.FromMicroseconds(85),
        Result = new AuditResultStatus(false, 120, null),
        ToolInvoked = true,
    };

    private string _folder = null!;
    private AuditFileSink _noFsync = null!;
    private AuditFileSink _fsync = null!;
    private AuditWriter _writer = null!;

    [IterationSetup]
    public void Setup()
    {
        _folder = Directory.CreateTempSubdirectory("mcppolicy-audit-bench-").FullName;
        var key = Convert.ToBase64String(new byte[32]);
        _noFsync = new AuditFileSink(new AuditOptions { Path = Path.Combine(_folder, "none.jsonl"), Key = key, Fsync = AuditFsyncPolicy.None });
        _fsync = new AuditFileSink(new AuditOptions { Path = Path.Combine(_folder, "fsync.jsonl"), Key = key, Fsync = AuditFsyncPolicy.PerRecord });
        var writerOptions = new AuditOptions { Path = Path.Combine(_folder, "writer.jsonl"), Key = key, Fsync = AuditFsyncPolicy.None, LogRecords = false };
        _writer = new AuditWriter([new AuditFileSink(writerOptions)], writerOptions);
    }

    [IterationCleanup]
    public void Cleanup()
    {
        _noFsync.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _fsync.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _writer.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(OperationsPerInvoke = Records)]
    public async Task AppendNoFsync()
    {
        for (var i = 0; i < Records; i++)
        {
            await _noFsync.WriteAsync(_record, CancellationToken.None);
        }

        await _noFsync.FlushAsync(durable: false, CancellationToken.None);
    }

    [Benchmark(OperationsPerInvoke = FsyncRecords)]
    public async Task AppendFsyncPerRecord()
    {
        for (var i = 0; i < FsyncRecords; i++)
        {
            await _fsync.WriteAsync(_record, CancellationToken.None);
        }
    }

    [Benchmark(OperationsPerInvoke = Records)]
    public async Task WriterQueueNoFsync()
    {
        for (var i = 0; i < Records; i++)
        {
            await _writer.EnqueueAsync(_record);
        }

        await _writer.DrainAsync();
    }
}
