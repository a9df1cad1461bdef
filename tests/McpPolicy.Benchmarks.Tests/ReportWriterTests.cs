using System.Text.Json.Nodes;
using McpPolicy.Benchmarks.Report;

namespace McpPolicy.Benchmarks.Tests;

public sealed class ReportWriterTests
{
    private static readonly MachineInfo Machine = new("2026-11-21 10:00 UTC", "Test CPU", 2, "23.5", "Linux", "10.0.12 (X64)", "v20.20.2", "0.50, 0.40, 0.30", "1.00, 0.50, 0.30", "full");

    private static JsonObject Line(string json) => (JsonObject)JsonNode.Parse(json)!;

    private static BdnResult Bdn(string type, string method, double medianNs, double? allocated = 0, params (string Name, string Value)[] parameters) =>
        new(type, method, parameters.ToDictionary(p => p.Name, p => p.Value), medianNs, medianNs, medianNs / 100, allocated);

    /// <summary>A run in which every target is met.</summary>
    private static ReportData AllMet() => new()
    {
        Machine = Machine,
        Decisions =
        [
            Line("""{"engine":"mcppolicy","n":10,"medianNs":183,"allocatedBytesPerCall":0,"risk":"Low"}"""),
            Line("""{"engine":"mcppolicy","n":1000,"medianNs":1610,"allocatedBytesPerCall":0,"risk":"Low"}"""),
            Line("""{"engine":"cedar-wasm","version":"4.13.0","n":10,"medianNs":80000,"risk":"Low","policies":13}"""),
            Line("""{"engine":"cedar-wasm","version":"4.13.0","n":1000,"medianNs":2350000,"risk":"Low","policies":1197}"""),
        ],
        Schemas =
        [
            Line("""{"engine":"mcppolicy","schema":"read_file","instance":"valid","valid":true,"medianNs":27,"allocatedBytesPerCall":0}"""),
            Line("""{"engine":"mcppolicy","schema":"exec","instance":"valid","valid":true,"medianNs":140,"allocatedBytesPerCall":0}"""),
            Line("""{"engine":"mcppolicy","schema":"exec","instance":"invalid","valid":false,"medianNs":120,"allocatedBytesPerCall":0}"""),
            Line("""{"engine":"mcppolicy","schema":"exec","instance":"compile","medianNs":48000,"allocatedBytesPerCall":41000}"""),
            Line("""{"engine":"mcppolicy","schema":"create_issue","instance":"valid","valid":true,"medianNs":500,"allocatedBytesPerCall":0}"""),
            Line("""{"engine":"mcppolicy","schema":"create_issue","instance":"invalid","valid":false,"medianNs":480,"allocatedBytesPerCall":0}"""),
            Line("""{"engine":"ajv","version":"8.20.0","schema":"exec","instance":"valid","valid":true,"medianNs":150}"""),
            Line("""{"engine":"ajv","version":"8.20.0","schema":"exec","instance":"invalid","valid":false,"medianNs":180}"""),
            Line("""{"engine":"ajv","version":"8.20.0","schema":"create_issue","instance":"valid","valid":true,"medianNs":600}"""),
            Line("""{"engine":"ajv","version":"8.20.0","schema":"create_issue","instance":"invalid","valid":false,"medianNs":620}"""),
        ],
        Bdn =
        [
            Bdn(ReportWriter.Flow, "CheckClean", 800, 232, ("History", "10")),
            Bdn(ReportWriter.Flow, "CheckClean", 820, 232, ("History", "10000")),
            Bdn(ReportWriter.Flow, "CheckTainted", 950, 600, ("History", "10")),
            Bdn(ReportWriter.Flow, "CheckTainted", 960, 600, ("History", "10000")),
            Bdn(ReportWriter.EndToEnd, "CallTool", 37_000, 19_000, ("ProtocolVersion", "null"), ("Policy", "none")),
            Bdn(ReportWriter.EndToEnd, "CallTool", 37_500, 20_000, ("ProtocolVersion", "null"), ("Policy", "server")),
            Bdn(ReportWriter.EndToEnd, "CallTool", 31_000, 12_000, ("ProtocolVersion", "2025-11-25"), ("Policy", "none")),
            Bdn(ReportWriter.EndToEnd, "CallTool", 31_400, 13_000, ("ProtocolVersion", "2025-11-25"), ("Policy", "server")),
            Bdn(ReportWriter.Evaluator, "Evaluate", 183, 0, ("N", "10")),
            Bdn(ReportWriter.Evaluator, "Evaluate", 1610, 0, ("N", "1000")),
            Bdn(ReportWriter.AuditAppend, "AppendNoFsync", 33_000, 5_300),
        ],
        HostGate =
        [
            Line("""{"protocol":"2026-07-28","policy":"wrapper","cpuMedianNs":2520,"allocatedBytesPerCall":2456}"""),
            Line("""{"protocol":"2026-07-28","policy":"host","cpuMedianNs":3600,"allocatedBytesPerCall":3800}"""),
            Line("""{"protocol":"2026-07-28","hostMinusWrapperNs":1080}"""),
            Line("""{"protocol":"2025-11-25","hostMinusWrapperNs":910}"""),
        ],
        ServerGate =
        [
            Line("""{"protocol":"2026-07-28","side":"server","policy":"none","cpuMedianNs":9000,"allocatedBytesPerCall":5000}"""),
            Line("""{"protocol":"2026-07-28","side":"server","policy":"policy","cpuMedianNs":9500,"allocatedBytesPerCall":5576}"""),
            Line("""{"protocol":"2026-07-28","side":"server","policyMinusNoneNs":500,"policyMinusNoneBytes":576}"""),
            Line("""{"protocol":"2025-11-25","side":"server","policyMinusNoneNs":420,"policyMinusNoneBytes":576}"""),
        ],
        Gateway =
        [
            Line("""{"policy":"full","run":1,"direct":{"median":0.24,"p99":3.1,"n":3000},"gateway":{"median":0.40,"p99":4.0,"n":3000},"addedMedianMs":0.16,"warmup":{"direct":{"median":0.30,"n":2000},"gateway":{"median":0.55,"n":2000}}}"""),
            Line("""{"policy":"full","run":2,"direct":{"median":0.24,"p99":3.1,"n":3000},"gateway":{"median":0.45,"p99":4.0,"n":3000},"addedMedianMs":0.21}"""),
            Line("""{"policy":"full","run":3,"direct":{"median":0.24,"p99":3.1,"n":3000},"gateway":{"median":0.42,"p99":4.0,"n":3000},"addedMedianMs":0.18}"""),
        ],
        ConversationMemory =
        [
            Line("""{"case":"10 calls","conversations":10000,"callsPerConversation":10,"untrustedResultsPerConversation":5,"untrustedCharactersPerConversation":1000,"bytesPerConversation":36352}"""),
            Line("""{"case":"bounds","maxEventsPerConversation":256,"maxTaintedCharactersPerConversation":32768,"idleTimeoutSeconds":3600,"documentedBytesPerTaintedCharacterAtMost":56}"""),
        ],
    };

    [Fact]
    public void EveryTargetIsEvaluatedAndMetWhenTheNumbersAreWithinIt()
    {
        var targets = ReportWriter.Targets(AllMet());

        Assert.Equal(11, targets.Count);
        Assert.All(targets, t => Assert.True(t.Met, $"{t.Target}: {t.Measured}"));
        Assert.Contains(targets, t => t.Target.StartsWith("≥ 100×", StringComparison.Ordinal) && t.Measured.StartsWith("437× – 1,460×", StringComparison.Ordinal));
        Assert.Contains(targets, t => t.Target.StartsWith("Gateway", StringComparison.Ordinal) && t.Measured.StartsWith("0.180 ms (median of 3 runs", StringComparison.Ordinal));
    }

    [Fact]
    public void AMissedTargetIsMarkedAndItsCauseIsWritten()
    {
        var data = AllMet();
        var slowExec = new ReportData
        {
            Machine = data.Machine,
            Decisions = data.Decisions,
            Schemas = [.. data.Schemas.Where(o => !(ReportWriter.Str(o, "schema") == "exec" && ReportWriter.Str(o, "instance") == "valid" && ReportWriter.Str(o, "engine") == "mcppolicy")),
                Line("""{"engine":"mcppolicy","schema":"exec","instance":"valid","valid":true,"medianNs":285,"allocatedBytesPerCall":0}""")],
            Bdn = data.Bdn,
            HostGate = data.HostGate,
            Gateway = data.Gateway,
        };

        var exec = Assert.Single(ReportWriter.Targets(slowExec), t => t.Target.Contains("`exec`", StringComparison.Ordinal));
        Assert.False(exec.Met);
        Assert.Contains("valid 285.0 ns vs 150.0 ns (1.90× of ajv's time)", exec.Measured, StringComparison.Ordinal);

        var text = ReportWriter.Write(slowExec);
        Assert.Contains("| Validation (b) `exec` no slower than ajv | valid 285.0 ns vs 150.0 ns (1.90× of ajv's time); invalid 120.0 ns vs 180.0 ns (0.67× of ajv's time) | **missed** |", text, StringComparison.Ordinal);
        Assert.Contains("Where a target is missed, the remaining gap and its cause:", text, StringComparison.Ordinal);
        Assert.Contains("PGO", text, StringComparison.Ordinal);
    }

    [Fact]
    public void TheServerSideIsItsCpuTimeWhenMeasuredAndTheWallClockDifferenceOtherwise()
    {
        var data = AllMet();
        var withCpu = ReportWriter.Targets(data).Where(t => t.Target.StartsWith("Policy overhead", StringComparison.Ordinal)).ToList();
        var withoutCpu = ReportWriter.Targets(new ReportData { Machine = data.Machine, Bdn = data.Bdn, HostGate = data.HostGate })
            .Where(t => t.Target.StartsWith("Policy overhead", StringComparison.Ordinal)).ToList();

        Assert.Contains("server side 1.4 % (500.0 ns CPU of 37.00 µs)", withCpu[0].Measured, StringComparison.Ordinal);
        Assert.Contains("server side 1.4 % (420.0 ns CPU of 31.00 µs)", withCpu[1].Measured, StringComparison.Ordinal);
        Assert.Contains("server side 1.4 % (500.0 ns of 37.00 µs, wall clock)", withoutCpu[0].Measured, StringComparison.Ordinal);
        Assert.Contains("| 2026-07-28 | policy | 9.50 µs | 5.4 KB | 500.0 ns |", ReportWriter.Write(data), StringComparison.Ordinal);
    }

    [Fact]
    public void TheGatewaysWarmUpIsShownApartFromTheMeasuredCalls()
    {
        var text = ReportWriter.Write(AllMet());

        Assert.Contains("| full | 1 | 0.240 ms | 0.400 ms | 0.160 ms | 3.100 ms | 4.000 ms | 3,000 | 0.250 ms (2,000) |", text, StringComparison.Ordinal);
        Assert.Contains("| full | 2 | 0.240 ms | 0.450 ms | 0.210 ms | 3.100 ms | 4.000 ms | 3,000 | - |", text, StringComparison.Ordinal);
    }

    [Fact]
    public void NothingMeasuredIsReportedAsNotMeasuredNeverAsMet()
    {
        var empty = new ReportData { Machine = Machine };

        var targets = ReportWriter.Targets(empty);

        Assert.All(targets, t => Assert.Null(t.Met));
        var text = ReportWriter.Write(empty);
        Assert.DoesNotContain("| met |", text, StringComparison.Ordinal);
        Assert.Contains("Not measured in this run.", text, StringComparison.Ordinal);
    }

    [Fact]
    public void FlowIsMissedWhenItGrowsWithHistoryEvenUnderOneMicrosecond()
    {
        var growing = new ReportData
        {
            Machine = Machine,
            Bdn = [Bdn(ReportWriter.Flow, "CheckClean", 400, 0, ("History", "10")), Bdn(ReportWriter.Flow, "CheckClean", 900, 0, ("History", "10000"))],
        };

        var flow = Assert.Single(ReportWriter.Targets(growing), t => t.Target.StartsWith("Flow", StringComparison.Ordinal));
        Assert.False(flow.Met);
        Assert.Contains("not flat", flow.Measured, StringComparison.Ordinal);
    }

    [Fact]
    public void OverheadTargetUsesTheServerSideAndTheHostGateCpuTime()
    {
        var data = AllMet();
        var costlyHost = new ReportData
        {
            Machine = Machine,
            Bdn = data.Bdn,
            HostGate = [Line("""{"protocol":"2026-07-28","hostMinusWrapperNs":1500}""")],
        };

        var overhead = Assert.Single(ReportWriter.Targets(costlyHost), t => t.Target.Contains("(2026-07-28)", StringComparison.Ordinal));
        Assert.False(overhead.Met);
        Assert.Contains("server side 1.4 % (500.0 ns of 37.00 µs, wall clock)", overhead.Measured, StringComparison.Ordinal);
        Assert.Contains("host side 4.1 % (1.50 µs CPU of 37.00 µs)", overhead.Measured, StringComparison.Ordinal);
        Assert.Contains("both sides on one call 5.4 % (2.00 µs)", overhead.Measured, StringComparison.Ordinal);
    }

    [Fact]
    public void TheInterleavedRoundTripIsPreferredOverTheSeparateProcesses()
    {
        var data = AllMet();
        var interleaved = new ReportData
        {
            Machine = Machine,
            Bdn = data.Bdn,
            HostGate = data.HostGate,
            EndToEnd =
            [
                Line("""{"protocol":"2026-07-28","policy":"none","medianNs":20000,"minNs":18000}"""),
                Line("""{"protocol":"2026-07-28","policy":"server","medianNs":21000,"minNs":19000}"""),
                Line("""{"protocol":"2026-07-28","noneNs":20000,"serverMinusNoneNs":1000,"hostMinusWrapperNs":600,"bothMinusNoneNs":1500}"""),
            ],
        };

        var overhead = Assert.Single(ReportWriter.Targets(interleaved), t => t.Target.Contains("(2026-07-28)", StringComparison.Ordinal));

        Assert.False(overhead.Met);
        Assert.Contains("server side 5.0 % (1.00 µs of 20.00 µs, wall clock, interleaved)", overhead.Measured, StringComparison.Ordinal);
        Assert.Contains("host side 5.4 % (1.08 µs CPU of 20.00 µs)", overhead.Measured, StringComparison.Ordinal);
        Assert.Contains("upper bound", overhead.Cause, StringComparison.Ordinal);
        Assert.Contains("within the issue's \"about 1 µs\"", overhead.Cause, StringComparison.Ordinal);
        Assert.Contains("| 2026-07-28 | server | 21.00 µs | 19.00 µs | 1.00 µs (5.0 %) |", ReportWriter.Write(interleaved), StringComparison.Ordinal);
    }

    [Fact]
    public void WithSeveralProcessesTheFastestRoundTripIsTheDenominator()
    {
        var data = AllMet();
        var processes = new ReportData
        {
            Machine = Machine,
            Bdn = data.Bdn,
            HostGate = [Line("""{"protocol":"2026-07-28","hostMinusWrapperNs":600}""")],
            ServerGate = [Line("""{"protocol":"2026-07-28","side":"server","policyMinusNoneNs":300}""")],
            EndToEnd =
            [
                Line("""{"process":1,"protocol":"2026-07-28","policy":"none","medianNs":30000,"minNs":28000}"""),
                Line("""{"process":1,"protocol":"2026-07-28","noneNs":30000,"serverMinusNoneNs":900,"hostMinusWrapperNs":600,"bothMinusNoneNs":1500}"""),
                Line("""{"process":2,"protocol":"2026-07-28","policy":"none","medianNs":19000,"minNs":18000}"""),
                Line("""{"process":2,"protocol":"2026-07-28","noneNs":19000,"serverMinusNoneNs":900,"hostMinusWrapperNs":600,"bothMinusNoneNs":1500}"""),
                Line("""{"process":3,"protocol":"2026-07-28","policy":"none","medianNs":25000,"minNs":24000}"""),
                Line("""{"process":3,"protocol":"2026-07-28","noneNs":25000,"serverMinusNoneNs":900,"hostMinusWrapperNs":600,"bothMinusNoneNs":1500}"""),
            ],
        };

        var overhead = Assert.Single(ReportWriter.Targets(processes), t => t.Target.Contains("(2026-07-28)", StringComparison.Ordinal));

        // 600 ns is 2 % of the slowest process's round trip but 3.2 % of the fastest one's.
        Assert.False(overhead.Met);
        Assert.Contains("host side 3.2 % (600.0 ns CPU of 19.00 µs)", overhead.Measured, StringComparison.Ordinal);
        var document = ReportWriter.Write(processes);
        Assert.Contains("| 2 | 2026-07-28 | none | 19.00 µs | 18.00 µs |  |", document, StringComparison.Ordinal);
        Assert.Contains("fastest", document, StringComparison.Ordinal);
    }

    [Fact]
    public void WithSeveralGateProcessesTheTargetTakesTheMedianOfTheirFiguresAndEveryProcessIsListed()
    {
        var data = AllMet();
        var gates = new ReportData
        {
            Machine = Machine,
            Bdn = data.Bdn,
            HostGate =
            [
                Line("""{"process":1,"protocol":"2026-07-28","policy":"wrapper","cpuMedianNs":2500,"allocatedBytesPerCall":2456}"""),
                Line("""{"process":1,"protocol":"2026-07-28","policy":"host","cpuMedianNs":3700,"allocatedBytesPerCall":3400}"""),
                Line("""{"process":1,"protocol":"2026-07-28","hostMinusWrapperNs":1200}"""),
                Line("""{"process":2,"protocol":"2026-07-28","policy":"wrapper","cpuMedianNs":2400,"allocatedBytesPerCall":2456}"""),
                Line("""{"process":2,"protocol":"2026-07-28","policy":"host","cpuMedianNs":3300,"allocatedBytesPerCall":3400}"""),
                Line("""{"process":2,"protocol":"2026-07-28","hostMinusWrapperNs":900}"""),
                Line("""{"process":3,"protocol":"2026-07-28","hostMinusWrapperNs":1000}"""),
            ],
            ServerGate =
            [
                Line("""{"process":1,"protocol":"2026-07-28","side":"server","policy":"none","cpuMedianNs":9000,"allocatedBytesPerCall":5000}"""),
                Line("""{"process":1,"protocol":"2026-07-28","side":"server","policy":"policy","cpuMedianNs":9400,"allocatedBytesPerCall":5576}"""),
                Line("""{"process":1,"protocol":"2026-07-28","side":"server","policyMinusNoneNs":400}"""),
                Line("""{"process":2,"protocol":"2026-07-28","side":"server","policy":"none","cpuMedianNs":9100,"allocatedBytesPerCall":5000}"""),
                Line("""{"process":2,"protocol":"2026-07-28","side":"server","policy":"policy","cpuMedianNs":9700,"allocatedBytesPerCall":5576}"""),
                Line("""{"process":2,"protocol":"2026-07-28","side":"server","policyMinusNoneNs":600}"""),
            ],
        };

        var overhead = Assert.Single(ReportWriter.Targets(gates), t => t.Target.Contains("(2026-07-28)", StringComparison.Ordinal));

        // Host: the median of 1,200, 900 and 1,000 ns, not the first process's figure; server: the median of 400 and 600 ns.
        Assert.Contains("host side 2.7 % (1.00 µs CPU of 37.00 µs; median of 3 processes, 900.0 ns – 1.20 µs)", overhead.Measured, StringComparison.Ordinal);
        Assert.Contains("server side 1.4 % (500.0 ns CPU of 37.00 µs; median of 2 processes, 400.0 ns – 600.0 ns)", overhead.Measured, StringComparison.Ordinal);
        Assert.Contains("both sides on one call 4.1 % (1.50 µs)", overhead.Measured, StringComparison.Ordinal);
        Assert.Contains("(pending call, context, outgoing request; a lone call in progress is tracked in a slot of its own rather than a dictionary entry), 944 B allocated per call;", overhead.Cause, StringComparison.Ordinal);
        var document = ReportWriter.Write(gates);
        Assert.Contains("| 1 | 2026-07-28 | host | 3.70 µs | 3.3 KB | 1.20 µs |", document, StringComparison.Ordinal);
        Assert.Contains("| 2 | 2026-07-28 | host | 3.30 µs | 3.3 KB | 900.0 ns |", document, StringComparison.Ordinal);
        Assert.Contains("| 2 | 2026-07-28 | policy | 9.70 µs | 5.4 KB | 600.0 ns |", document, StringComparison.Ordinal);
    }

    [Fact]
    public void TheDocumentHasTheMachineEverySectionAndTheProblems()
    {
        var data = AllMet();
        var withProblem = new ReportData { Machine = Machine, Decisions = data.Decisions, Problems = ["cedar-bench.mjs failed"] };

        var text = ReportWriter.Write(withProblem);

        foreach (var heading in new[]
        {
            "# Performance", "## Targets", "## Policy decisions vs Cedar", "## JSON Schema validation vs ajv", "## Startup: compiling a policy and a catalog",
            "## Flow check", "## Full pipeline per call", "## In-process MCP tool call with and without the policy",
            "## The `mcp-policy` gateway vs the same server directly", "## Audit trail", "## Memory per conversation", "## Scaling",
            "## How this was measured", "## Problems in this run",
        })
        {
            Assert.Contains(heading + "\n", text, StringComparison.Ordinal);
        }

        Assert.Contains("| CPU | Test CPU, 2 logical cores |", text, StringComparison.Ordinal);
        Assert.Contains("| Load average (1, 5, 15 min) at start / end | 0.50, 0.40, 0.30 / 1.00, 0.50, 0.30 |", text, StringComparison.Ordinal);
        Assert.Contains("| 10 | 183.0 ns | 0 B | 80.00 µs | 13 | 437× | Low / Low |", text, StringComparison.Ordinal);
        Assert.Contains("- cedar-bench.mjs failed", text, StringComparison.Ordinal);

        var memory = ReportWriter.Write(data);
        Assert.Contains("| 10 calls | 10,000 | 10 | 5 | 1,000 | 35.5 KB |", memory, StringComparison.Ordinal);
        Assert.Contains("at most 256 events and 32,768 tainted characters per conversation", memory, StringComparison.Ordinal);
        Assert.Contains("so at most 1.8 MB for a full index", memory, StringComparison.Ordinal);
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\n\n\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void ScalingRowsAreOrderedBySizeAndRelativeToTheSmallest()
    {
        var data = new ReportData
        {
            Machine = Machine,
            Bdn =
            [
                Bdn(ReportWriter.Evaluator, "Evaluate", 1600, 0, ("N", "1000")),
                Bdn(ReportWriter.Evaluator, "Evaluate", 200, 0, ("N", "10")),
                Bdn(ReportWriter.Evaluator, "Evaluate", 320, 0, ("N", "100")),
                Bdn(ReportWriter.ScalingSchema, "IsValidObject", 10_000, 0, ("Properties", "1000")),
                Bdn(ReportWriter.ScalingSchema, "IsValidObject", 100, 0, ("Properties", "10")),
                Bdn(ReportWriter.ScalingArgument, "FlowTaintCheck", 1_000, 40, ("Kilobytes", "1")),
                Bdn("ScalingNewBenchmarks", "Other", 50, 0, ("Size", "1")),
            ],
        };

        var text = ReportWriter.Write(data);

        var i10 = text.IndexOf("| decision (`Evaluate`) | rules | 10 | 200.0 ns | 0 B | 1.00 |", StringComparison.Ordinal);
        var i100 = text.IndexOf("| decision (`Evaluate`) | rules | 100 | 320.0 ns | 0 B | 1.60 |", StringComparison.Ordinal);
        var i1000 = text.IndexOf("| decision (`Evaluate`) | rules | 1000 | 1.60 µs | 0 B | 8.00 |", StringComparison.Ordinal);
        Assert.True(i10 >= 0 && i100 > i10 && i1000 > i100, text);
        Assert.Contains("| validation, object schema (all properties present) | properties | 1000 | 10.00 µs | 0 B | 100.00 |", text, StringComparison.Ordinal);
        Assert.Contains("| flow check with taint scan | argument size (KB) | 1 | 1.00 µs | 40 B | 1.00 |", text, StringComparison.Ordinal);
        Assert.Contains("| `ScalingNewBenchmarks.Other` | Size | 1 | 50.0 ns | 0 B | 1.00 |", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(999.94, "999.9 ns")]
    [InlineData(-1_500, "−1.50 µs")]
    [InlineData(1000, "1.00 µs")]
    [InlineData(1_610, "1.61 µs")]
    [InlineData(3_021_000, "3.02 ms")]
    [InlineData(2_500_000_000, "2.50 s")]
    public void NanosecondsAreWrittenInTheRightUnit(double ns, string expected) => Assert.Equal(expected, ReportWriter.Ns(ns));

    [Theory]
    [InlineData(0, "0 B")]
    [InlineData(1023, "1023 B")]
    [InlineData(1434, "1.4 KB")]
    [InlineData(5_767_168, "5.5 MB")]
    public void BytesAreWrittenInTheRightUnit(double bytes, string expected) => Assert.Equal(expected, ReportWriter.Bytes(bytes));

    [Fact]
    public void JsonLinesSkipLogLinesAndReportBrokenOnesWithTheirLineNumber()
    {
        var path = Path.Combine(Path.GetTempPath(), $"report-test-{Guid.NewGuid():N}.jsonl");
        File.WriteAllText(path, "building...\n{\"n\":10,\"medianNs\":1}\n{\"n\":\n  {\"n\":100}\n");
        try
        {
            var problems = new List<string>();

            var lines = ReportData.ReadJsonLines(path, problems);

            Assert.Equal(2, lines.Count);
            Assert.Equal(100, ReportWriter.Num(lines[1], "n"));
            var problem = Assert.Single(problems);
            Assert.Contains("line 3 is not valid JSON", problem, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void AMissingOrEmptyInputIsAProblemNotASilentGap()
    {
        var problems = new List<string>();
        var path = Path.Combine(Path.GetTempPath(), $"report-test-{Guid.NewGuid():N}.jsonl");

        Assert.Empty(ReportData.ReadJsonLines(path, problems));
        File.WriteAllText(path, "no results here\n");
        try
        {
            Assert.Empty(ReportData.ReadJsonLines(path, problems));
        }
        finally
        {
            File.Delete(path);
        }

        Assert.Equal(2, problems.Count);
        Assert.Contains("is missing", problems[0], StringComparison.Ordinal);
        Assert.Contains("has no results", problems[1], StringComparison.Ordinal);
    }

    [Fact]
    public void TheReportCommandRefusesBadArgumentsAndAMissingInputFolder()
    {
        Assert.Equal(2, ReportCommand.Run(["report"]));
        Assert.Equal(2, ReportCommand.Run(["report", "a", "b", "--slow"]));
        Assert.Equal(2, ReportCommand.Run(["report", Path.Combine(Path.GetTempPath(), $"absent-{Guid.NewGuid():N}"), "out.md"]));
    }

    [Fact]
    public void EverySuiteTheReportRunsExistsWithTheMethodsTheWriterReads()
    {
        var assembly = typeof(ReportCommand).Assembly;
        foreach (var name in ReportCommand.Suites)
        {
            Assert.True(assembly.GetType("McpPolicy.Benchmarks." + name) is not null, $"{name} is not a benchmark class of this build");
        }

        Assert.NotNull(assembly.GetType("McpPolicy.Benchmarks.FlowBenchmarks")!.GetMethod("CheckTainted"));
        Assert.NotNull(assembly.GetType("McpPolicy.Benchmarks.FlowBenchmarks")!.GetMethod("CheckClean"));
        Assert.NotNull(assembly.GetType("McpPolicy.Benchmarks.EndToEndBenchmarks")!.GetMethod("CallTool"));
        Assert.NotNull(assembly.GetType("McpPolicy.Benchmarks.EvaluatorBenchmarks")!.GetMethod("Evaluate"));
    }
}
