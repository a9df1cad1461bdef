using System.Globalization;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace McpPolicy.Benchmarks.Report;

/// <summary>
/// <c>report INPUTS OUT [--quick]</c>: runs the BenchmarkDotNet suites the performance report needs (in this process, each case
/// out of process as usual), reads the JSON lines the driver script left in INPUTS (peers and measurement modes), and writes the
/// report to OUT. Run it through <c>benchmarks/report.sh</c>, which produces INPUTS first.
/// </summary>
internal static class ReportCommand
{
    /// <summary>The suites of the report, by type name (a suite missing from this build is reported as a problem, not a crash).</summary>
    internal static readonly string[] Suites =
    [
        ReportWriter.Evaluator,
        ReportWriter.Compile,
        ReportWriter.Startup,
        ReportWriter.Flow,
        ReportWriter.Pipeline,
        ReportWriter.ScalingSchema,
        ReportWriter.ScalingArray,
        ReportWriter.ScalingArgument,
        ReportWriter.EndToEnd,
        ReportWriter.AuditOverhead,
        ReportWriter.AuditAppend,
    ];

    public static int Run(string[] args)
    {
        if (args.Length is < 3 or > 4 || (args.Length == 4 && args[3] != "--quick"))
        {
            Console.Error.WriteLine("usage: report INPUT_DIR OUTPUT_FILE [--quick]   (run benchmarks/report.sh, which prepares INPUT_DIR)");
            return 2;
        }

        var inputs = args[1];
        var output = args[2];
        var quick = args.Length == 4;
        if (!Directory.Exists(inputs))
        {
            Console.Error.WriteLine($"error: input folder '{inputs}' does not exist; run benchmarks/report.sh, which creates it.");
            return 2;
        }

        var problems = new List<string>();
        var env = MachineInfo.ReadEnv(Path.Combine(inputs, "env.txt"));
        if (env.TryGetValue("problems", out var earlier) && earlier.Length > 0)
        {
            problems.AddRange(earlier.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }

        var bdn = RunSuites(quick, Path.Combine(inputs, "bdn"), problems);
        var data = new ReportData
        {
            Machine = MachineInfo.Describe(env, quick ? "quick (smoke run, not a measurement)" : "full"),
            Bdn = bdn,
            Decisions = [.. ReportData.ReadJsonLines(Path.Combine(inputs, "decisions.jsonl"), problems), .. ReportData.ReadJsonLines(Path.Combine(inputs, "cedar.jsonl"), problems)],
            Schemas = [.. ReportData.ReadJsonLines(Path.Combine(inputs, "schemas.jsonl"), problems), .. ReportData.ReadJsonLines(Path.Combine(inputs, "ajv.jsonl"), problems)],
            HostGate = ReportData.ReadJsonLines(Path.Combine(inputs, "hostgate.jsonl"), problems),
            ServerGate = ReportData.ReadJsonLines(Path.Combine(inputs, "servergate.jsonl"), problems),
            EndToEnd = ReportData.ReadJsonLines(Path.Combine(inputs, "e2e.jsonl"), problems),
            Gateway = ReportData.ReadJsonLines(Path.Combine(inputs, "gateway.jsonl"), problems),
            ConversationMemory = ReportData.ReadJsonLines(Path.Combine(inputs, "memory.jsonl"), problems),
            Problems = problems,
        };

        var text = ReportWriter.Write(data);
        var directory = Path.GetDirectoryName(Path.GetFullPath(output));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        var temporary = output + ".tmp";
        File.WriteAllText(temporary, text);
        File.Move(temporary, output, overwrite: true);
        Console.Error.WriteLine($"wrote {output}");
        foreach (var t in ReportWriter.Targets(data))
        {
            Console.Error.WriteLine($"  {(t.Met switch { true => "met    ", false => "MISSED ", null => "n/a    " })} {t.Target}: {t.Measured}");
        }

        if (problems.Count > 0)
        {
            Console.Error.WriteLine($"{problems.Count.ToString(CultureInfo.InvariantCulture)} problem(s), listed at the end of the report:");
            foreach (var p in problems)
            {
                Console.Error.WriteLine($"  - {p}");
            }

            return 1;
        }

        return 0;
    }

    /// <summary>
    /// The report's job: one launch, 3 warm-up and 10 measured iterations (about 10 s per case; the default job's adaptive
    /// iteration count would take several times longer for the ~70 cases), or BenchmarkDotNet's dry job for a smoke run.
    /// </summary>
    internal static Job ReportJob(bool quick) =>
        quick ? Job.Dry.WithId("quick") : Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(10).WithId("report");

    private static List<BdnResult> RunSuites(bool quick, string artifacts, List<string> problems)
    {
        var types = new List<Type>();
        foreach (var name in Suites)
        {
            var type = typeof(ReportCommand).Assembly.GetType("McpPolicy.Benchmarks." + name);
            if (type is null)
            {
                problems.Add($"BenchmarkDotNet suite {name} does not exist in this build; its rows are missing.");
            }
            else
            {
                types.Add(type);
            }
        }

        var job = ReportJob(quick);
        var jobId = job.Id;
        var config = ManualConfig.Create(DefaultConfig.Instance)
            .AddJob(job)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .WithArtifactsPath(artifacts)
            .WithBuildTimeout(TimeSpan.FromMinutes(10))
            .WithOptions(ConfigOptions.DisableLogFile);
        var results = new List<BdnResult>();
        foreach (var summary in BenchmarkRunner.Run([.. types], config))
        {
            if (summary.HasCriticalValidationErrors)
            {
                problems.Add($"BenchmarkDotNet refused {summary.Title}: {string.Join("; ", summary.ValidationErrors.Select(e => e.Message))}");
            }

            foreach (var report in summary.Reports)
            {
                // A class that declares its own job ([SimpleJob]) runs under it and under the report's job; keep the report's.
                if (report.BenchmarkCase.Job.Id != jobId && summary.Reports.Any(o => o.BenchmarkCase.Job.Id == jobId && o.BenchmarkCase.Descriptor == report.BenchmarkCase.Descriptor))
                {
                    continue;
                }

                var result = ToResult(report);
                if (result is null)
                {
                    problems.Add($"{report.BenchmarkCase.DisplayInfo} produced no result (it failed; see the BenchmarkDotNet log above).");
                }
                else
                {
                    results.Add(result);
                }
            }
        }

        return results;
    }

    private static BdnResult? ToResult(BenchmarkReport report)
    {
        var stats = report.ResultStatistics;
        if (stats is null || !report.Success)
        {
            return null;
        }

        var benchmark = report.BenchmarkCase;
        var parameters = benchmark.Parameters.Items.ToDictionary(p => p.Name, p => p.Value?.ToString() ?? "null", StringComparer.Ordinal);
        var allocated = report.GcStats.GetBytesAllocatedPerOperation(benchmark);
        return new BdnResult(
            benchmark.Descriptor.Type.Name,
            benchmark.Descriptor.WorkloadMethod.Name,
            parameters,
            stats.Median,
            stats.Mean,
            stats.StandardDeviation,
            allocated is long a ? a : null);
    }
}
