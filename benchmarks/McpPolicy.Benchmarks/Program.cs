using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using BenchmarkDotNet.Running;
using McpPolicy;
using McpPolicy.Benchmarks;

// Modes:
//   emit-scenarios DIR     write policy-10/100/1000.json and call.json (the Cedar comparison's input) and check they load back
//   measure-decisions DIR  load those files, time PolicyEvaluator.Evaluate, print one JSON line per policy size
//   measure-schemas DIR    time the reference schemas in DIR (benchmarks/schemas) like ajv-bench.mjs, print JSON lines
//   measure-killswitch     time from a kill switch change to the first denied call under load, print JSON lines
//   measure-host-gate [N]  CPU time of the calling thread per HostGateBenchmarks call, median of N rounds (default 21), JSON lines
//   measure-server-gate [N] CPU time of the calling thread per ServerGateBenchmarks call (none, policy), median of N rounds (default 21)
//   measure-conversation-memory  memory retained per conversation by the in-memory flow/history/limits state, JSON lines
//   measure-end-to-end [N] EndToEndBenchmarks' five placements interleaved in one process, median of N rounds (default 15), JSON lines
//   report DIR OUT [--quick]  run the report's BenchmarkDotNet suites, read DIR's JSON lines, write OUT (benchmarks/report.sh)
//   anything else          BenchmarkDotNet (for example: --filter '*Evaluator*' [--job short])
if (args.Length > 0 && args[0] == "report")
{
    // The performance report (docs/performance.md); benchmarks/report.sh prepares DIR and calls this.
    return McpPolicy.Benchmarks.Report.ReportCommand.Run(args);
}

if (args.Length == 1 && args[0] == "measure-conversation-memory")
{
    return ConversationMemoryMeasure.Run();
}

if (args.Length is 1 or 2 && args[0] == "measure-end-to-end")
{
    // Every placement of the policy on a real in-memory MCP round trip, interleaved in one process; JSON lines.
    if (args.Length == 2 && (!int.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out var e2eRounds) || e2eRounds < 1))
    {
        Console.Error.WriteLine("usage: measure-end-to-end [ROUNDS]  (ROUNDS: a positive whole number)");
        return 2;
    }

    return EndToEndMeasure.Run(args.Length == 2 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 15);
}

if (args.Length == 1 && args[0] == "measure-killswitch")
{
    // Time from a kill switch change (API, policy file edit) to the first denied call under load; JSON lines.
    return KillSwitchLatency.Measure();
}

if (args.Length is 1 or 2 && args[0] == "measure-host-gate")
{
    // The host gate's own cost as CPU time of the calling thread (Linux), which a shared machine does not inflate; JSON lines.
    if (args.Length == 2 && (!int.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out var rounds) || rounds < 1))
    {
        Console.Error.WriteLine("usage: measure-host-gate [ROUNDS]  (ROUNDS: a positive whole number)");
        return 2;
    }

    return HostGateMeasure.Run(args.Length == 2 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 21);
}

if (args.Length is 1 or 2 && args[0] == "measure-server-gate")
{
    // What WithPolicy adds to a real McpServer's handling of a tools/call, as CPU time of the calling thread (Linux); JSON lines.
    if (args.Length == 2 && (!int.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out var serverRounds) || serverRounds < 1))
    {
        Console.Error.WriteLine("usage: measure-server-gate [ROUNDS]  (ROUNDS: a positive whole number)");
        return 2;
    }

    return ServerGateMeasure.Run(args.Length == 2 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 21);
}

if (args.Length > 0 && args[0] is "emit-scenarios" or "measure-decisions" or "measure-schemas")
{
    if (args.Length != 2)
    {
        Console.Error.WriteLine($"usage: {args[0]} DIR");
        return 2;
    }

    return args[0] switch
    {
        "emit-scenarios" => DecisionTools.Emit(args[1]),
        "measure-schemas" => SchemaTools.Measure(args[1]),
        _ => DecisionTools.Measure(args[1]),
    };
}

BenchmarkSwitcher.FromAssembly(typeof(Scenario).Assembly).Run(args);
return 0;

/// <summary>The two modes the Cedar comparison (benchmarks/compare-cedar.sh) runs.</summary>
internal static class DecisionTools
{
    private const int WarmupMilliseconds = 500;
    private const int Batches = 200;
    private const int CallsPerBatch = 10_000;
    private const int AllocationCalls = 100_000;

    public static int Emit(string dir)
    {
        Directory.CreateDirectory(dir);
        var callPath = Path.Combine(dir, "call.json");
        using (var stream = File.Create(callPath))
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            Scenario.WriteCall(w);
        }

        var call = ReadCall(callPath);
        foreach (var n in Scenario.Sizes)
        {
            var options = Scenario.BuildPolicy(n);
            var path = Path.Combine(dir, PolicyFile(n));
            File.WriteAllText(path, PolicyJsonWriter.ToJson(options));

            // The file must load back to the same policy: same version hash, same decision.
            var inMemory = new PolicyEvaluator(options);
            var loaded = new PolicyEvaluator(PolicyLoader.FromFile(path));
            var a = inMemory.Evaluate(call.Context);
            var b = loaded.Evaluate(call.Context);
            var sameReasons = a.Reasons.Select(r => (r.Id, r.Risk)).SequenceEqual(b.Reasons.Select(r => (r.Id, r.Risk)));
            if (inMemory.PolicyVersion != loaded.PolicyVersion || a.Risk != b.Risk || !sameReasons)
            {
                Console.Error.WriteLine($"error: {PolicyFile(n)} does not load back to the same policy: in memory {a} ({inMemory.PolicyVersion}), from the file {b} ({loaded.PolicyVersion})");
                return 1;
            }

            if (a.Risk != call.ExpectedRisk)
            {
                Console.Error.WriteLine($"error: n={n}: risk {a.Risk}, expected {call.ExpectedRisk}: {a}");
                return 1;
            }

            Console.Error.WriteLine($"wrote {PolicyFile(n)}: {options.Tools.Count} tools entries + {options.Rules.Count} rules, decision {a.Risk} ({string.Join(", ", a.Reasons.Select(r => r.Id))})");
        }

        Console.Error.WriteLine($"wrote call.json: {call.Server}/{call.Tool}, {new FileInfo(callPath).Length} bytes, arguments {Scenario.ArgumentsJson.Length} bytes");
        return 0;
    }

    public static int Measure(string dir)
    {
        var call = ReadCall(Path.Combine(dir, "call.json"));
        var failed = false;
        foreach (var n in Scenario.Sizes)
        {
            var evaluator = new PolicyEvaluator(PolicyLoader.FromFile(Path.Combine(dir, PolicyFile(n))));
            var context = call.Context;
            var risk = evaluator.Evaluate(context).Risk;
            if (risk != call.ExpectedRisk)
            {
                Console.Error.WriteLine($"warning: n={n}: risk {risk} differs from expected {call.ExpectedRisk}");
                failed = true;
            }

            long sink = 0;
            var warmupEnd = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * WarmupMilliseconds / 1000);
            while (Stopwatch.GetTimestamp() < warmupEnd)
            {
                for (var i = 0; i < 1000; i++)
                {
                    sink += evaluator.Evaluate(context).Reasons.Count;
                }
            }

            var perCall = new double[Batches];
            for (var b = 0; b < Batches; b++)
            {
                var t0 = Stopwatch.GetTimestamp();
                for (var i = 0; i < CallsPerBatch; i++)
                {
                    sink += evaluator.Evaluate(context).Reasons.Count;
                }

                perCall[b] = Stopwatch.GetElapsedTime(t0).TotalNanoseconds / CallsPerBatch;
            }

            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < AllocationCalls; i++)
            {
                sink += evaluator.Evaluate(context).Reasons.Count;
            }

            var allocated = (double)(GC.GetAllocatedBytesForCurrentThread() - before) / AllocationCalls;
            Array.Sort(perCall);
            var median = (perCall[(Batches / 2) - 1] + perCall[Batches / 2]) / 2;
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $$"""{"engine":"mcppolicy","n":{{n}},"medianNs":{{Math.Round(median, 1)}},"minNs":{{Math.Round(perCall[0], 1)}},"allocatedBytesPerCall":{{Math.Round(allocated, 2)}},"risk":"{{risk}}","entries":{{n}},"batches":{{Batches}},"callsPerBatch":{{CallsPerBatch}},"dotnet":"{{Environment.Version}}","sink":{{sink}}}"""));
        }

        return failed ? 1 : 0;
    }

    private static string PolicyFile(int n) => string.Create(CultureInfo.InvariantCulture, $"policy-{n}.json");

    private static Call ReadCall(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var root = doc.RootElement;
        var server = root.GetProperty("server").GetString()!;
        var tool = root.GetProperty("tool").GetString()!;
        var arguments = ToolArguments.FromJson(root.TryGetProperty("arguments", out var a) ? a.Clone() : default);
        var expected = Enum.Parse<RiskLevel>(root.GetProperty("expectedRisk").GetString()!);
        var context = new ToolInvocationContext(server, tool, arguments, new ToolDescriptor(tool) { Hints = Scenario.Descriptor.Hints });
        return new Call(server, tool, context, expected);
    }

    private sealed record Call(string Server, string Tool, ToolInvocationContext Context, RiskLevel ExpectedRisk);
}
