using System.Globalization;

namespace McpPolicy.Benchmarks;

/// <summary>
/// The <c>measure-server-gate</c> mode: <see cref="ServerGateBenchmarks.CallTool"/> (a real <c>McpServer</c>'s call-tool filters and
/// tool, driven with a <c>tools/call</c> request line on the calling thread) timed as CPU time of the calling thread, like
/// <see cref="HostGateMeasure"/>. Both variants (none, policy) run in each round, interleaved, order alternating; the median of the
/// rounds is printed per variant, then policy − none, one JSON line each. The difference is what <c>WithPolicy</c> adds to the
/// server's handling of one call: the policy filter, its pipeline (context, kill switch, assessment, decision, limits) and the guard.
/// </summary>
internal static class ServerGateMeasure
{
    private const int CallsPerSample = 10_000;
    private const int WarmupRounds = 5;

    private static readonly string[] Policies = ["none", "policy"];

    public static int Run(int rounds)
    {
        if (!OperatingSystem.IsLinux())
        {
            Console.Error.WriteLine("measure-server-gate reads the thread's CPU clock, which this mode supports on Linux only.");
            return 2;
        }

        foreach (var version in new string?[] { null, "2025-11-25" })
        {
            var name = version ?? "2026-07-28";
            var t = InterleavedRounds.Measure(
                [.. Policies.Select(p => new ServerGateBenchmarks { ProtocolVersion = version, Policy = p })],
                b => b.Setup(), Loop, b => b.Cleanup(), rounds, WarmupRounds, CallsPerSample, cpuTime: true);
            for (var k = 0; k < t.Length; k++)
            {
                Console.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $$"""{"protocol":"{{name}}","side":"server","policy":"{{Policies[k]}}","cpuMedianNs":{{Math.Round(t[k].MedianNs)}},"cpuMinNs":{{Math.Round(t[k].MinNs)}},"allocatedBytesPerCall":{{Math.Round(t[k].AllocatedBytesPerCall)}},"rounds":{{rounds}},"callsPerSample":{{CallsPerSample}}}"""));
            }

            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $$"""{"protocol":"{{name}}","side":"server","policyMinusNoneNs":{{Math.Round(t[1].MedianNs - t[0].MedianNs)}},"policyMinusNoneBytes":{{Math.Round(t[1].AllocatedBytesPerCall - t[0].AllocatedBytesPerCall)}},"dotnet":"{{Environment.Version}}"}"""));
        }

        return 0;
    }

    private static void Loop(ServerGateBenchmarks bench)
    {
        for (var i = 0; i < CallsPerSample; i++)
        {
            bench.CallTool();
        }
    }
}
