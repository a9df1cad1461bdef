using System.Globalization;

namespace McpPolicy.Benchmarks;

/// <summary>
/// The <c>measure-host-gate</c> mode: <see cref="HostGateBenchmarks.CallTool"/> timed as CPU time of the calling thread
/// (<c>CLOCK_THREAD_CPUTIME_ID</c>, Linux), which time slicing on a shared machine does not inflate as it does wall-clock means.
/// Every variant (none, wrapper, host, host-inspect) runs in each round, interleaved (<see cref="InterleavedRounds"/>); the median of the rounds is printed per
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
            var t = InterleavedRounds.Measure(
                [.. Policies.Select(p => new HostGateBenchmarks { ProtocolVersion = version, Policy = p })],
                b => b.Setup(), Loop, b => b.Cleanup(), rounds, WarmupRounds, CallsPerSample, cpuTime: true);
            for (var k = 0; k < t.Length; k++)
            {
                Console.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $$"""{"protocol":"{{name}}","policy":"{{Policies[k]}}","cpuMedianNs":{{Math.Round(t[k].MedianNs)}},"cpuMinNs":{{Math.Round(t[k].MinNs)}},"allocatedBytesPerCall":{{Math.Round(t[k].AllocatedBytesPerCall)}},"rounds":{{rounds}},"callsPerSample":{{CallsPerSample}}}"""));
            }

            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $$"""{"protocol":"{{name}}","hostMinusWrapperNs":{{Math.Round(t[2].MedianNs - t[1].MedianNs)}},"hostInspectMinusWrapperNs":{{Math.Round(t[3].MedianNs - t[1].MedianNs)}},"dotnet":"{{Environment.Version}}"}"""));
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
