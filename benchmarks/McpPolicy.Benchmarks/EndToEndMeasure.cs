using System.Diagnostics;
using System.Globalization;

namespace McpPolicy.Benchmarks;

/// <summary>
/// The <c>measure-end-to-end</c> mode: <see cref="EndToEndBenchmarks.CallTool"/> (a real MCP server and client over in-memory pipes)
/// for every placement of the policy, all five set up side by side in one process and timed in interleaved samples, so that the
/// differences between them are not differences between processes (BenchmarkDotNet runs each case in its own process, and on
/// 2 cores the thread placement of a process moves its round trip by several microseconds). Prints the median per variant and the
/// policy's share per side, one JSON line each.
/// </summary>
internal static class EndToEndMeasure
{
    private const int CallsPerSample = 2_000;
    private const int WarmupRounds = 3;

    private static readonly string[] Policies = ["none", "wrapper", "server", "host", "both"];

    public static int Run(int rounds)
    {
        foreach (var version in new string?[] { null, "2025-11-25" })
        {
            var name = version ?? "2026-07-28";
            var benches = Policies.Select(p => new EndToEndBenchmarks { ProtocolVersion = version, Policy = p }).ToArray();
            try
            {
                foreach (var bench in benches)
                {
                    bench.Setup();
                }

                for (var w = 0; w < WarmupRounds; w++)
                {
                    foreach (var bench in benches)
                    {
                        Loop(bench);
                    }
                }

                var samples = benches.Select(_ => new double[rounds]).ToArray();
                for (var r = 0; r < rounds; r++)
                {
                    // Rotate the order every round so that no variant always follows the same one.
                    for (var j = 0; j < benches.Length; j++)
                    {
                        var k = (j + r) % benches.Length;
                        var start = Stopwatch.GetTimestamp();
                        Loop(benches[k]);
                        samples[k][r] = Stopwatch.GetElapsedTime(start).TotalNanoseconds / CallsPerSample;
                    }
                }

                var medians = samples.Select(Median).ToArray();
                for (var k = 0; k < benches.Length; k++)
                {
                    Console.WriteLine(string.Create(
                        CultureInfo.InvariantCulture,
                        $$"""{"protocol":"{{name}}","policy":"{{Policies[k]}}","medianNs":{{Math.Round(medians[k])}},"minNs":{{Math.Round(samples[k].Min())}},"rounds":{{rounds}},"callsPerSample":{{CallsPerSample}}}"""));
                }

                Console.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $$"""{"protocol":"{{name}}","noneNs":{{Math.Round(medians[0])}},"serverMinusNoneNs":{{Math.Round(medians[2] - medians[0])}},"hostMinusWrapperNs":{{Math.Round(medians[3] - medians[1])}},"bothMinusNoneNs":{{Math.Round(medians[4] - medians[0])}},"dotnet":"{{Environment.Version}}"}"""));
            }
            finally
            {
                foreach (var bench in benches)
                {
                    bench.Cleanup();
                }
            }
        }

        return 0;
    }

    private static void Loop(EndToEndBenchmarks bench)
    {
        for (var i = 0; i < CallsPerSample; i++)
        {
            bench.CallTool().GetAwaiter().GetResult();
        }
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
