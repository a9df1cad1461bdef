using System.Globalization;

namespace McpPolicy.Benchmarks;

/// <summary>
/// The <c>measure-host-gate</c> mode: <see cref="HostGateBenchmarks.CallTool"/> timed as CPU time of the calling thread
/// (<c>CLOCK_THREAD_CPUTIME_ID</c>, Linux), which time slicing on a shared machine does not inflate as it does wall-clock means.
/// Every variant (none, wrapper, host, host-inspect) runs in each round, interleaved; the median of the rounds is printed per
/// variant, then host − wrapper, one JSON line each.
/// </summary>
internal static class HostGateMeasure
{
    private const int CallsPerSample = 20_000;
    private const int WarmupRounds = 5;

    private static readonly string[] Policies = ["none", "wrapper", "host", "host-inspect"];

    public static int Run(int rounds)
    {
        if (!OperatingSystem.IsLinux())
        {
            Console.Error.WriteLine("measure-host-gate reads the thread's CPU clock, which this mode supports on Linux only.");
            return 2;
        }

        foreach (var version in new string?[] { null, "2025-11-25" })
        {
            var name = version ?? "2026-07-28";
            var benches = Policies.Select(p => new HostGateBenchmarks { ProtocolVersion = version, Policy = p }).ToArray();
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

                var samples = new double[benches.Length][];
                var allocated = new double[benches.Length];
                for (var k = 0; k < benches.Length; k++)
                {
                    samples[k] = new double[rounds];
                }

                for (var r = 0; r < rounds; r++)
                {
                    for (var k = 0; k < benches.Length; k++)
                    {
                        var bytes = GC.GetAllocatedBytesForCurrentThread();
                        var start = ThreadCpu.Nanoseconds();
                        Loop(benches[k]);
                        samples[k][r] = (ThreadCpu.Nanoseconds() - start) / (double)CallsPerSample;
                        allocated[k] = (GC.GetAllocatedBytesForCurrentThread() - bytes) / (double)CallsPerSample;
                    }
                }

                var medians = samples.Select(ThreadCpu.Median).ToArray();
                for (var k = 0; k < benches.Length; k++)
                {
                    Console.WriteLine(string.Create(
                        CultureInfo.InvariantCulture,
                        $$"""{"protocol":"{{name}}","policy":"{{Policies[k]}}","cpuMedianNs":{{Math.Round(medians[k])}},"cpuMinNs":{{Math.Round(samples[k].Min())}},"allocatedBytesPerCall":{{Math.Round(allocated[k])}},"rounds":{{rounds}},"callsPerSample":{{CallsPerSample}}}"""));
                }

                Console.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $$"""{"protocol":"{{name}}","hostMinusWrapperNs":{{Math.Round(medians[2] - medians[1])}},"hostInspectMinusWrapperNs":{{Math.Round(medians[3] - medians[1])}},"dotnet":"{{Environment.Version}}"}"""));
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

    private static void Loop(HostGateBenchmarks bench)
    {
        for (var i = 0; i < CallsPerSample; i++)
        {
            bench.CallTool();
        }
    }
}
