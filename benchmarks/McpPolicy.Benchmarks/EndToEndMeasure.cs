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
            var t = InterleavedRounds.Measure(
                [.. Policies.Select(p => new EndToEndBenchmarks { ProtocolVersion = version, Policy = p })],
                b => b.Setup(), Loop, b => b.Cleanup(), rounds, WarmupRounds, CallsPerSample, cpuTime: false);
            for (var k = 0; k < t.Length; k++)
            {
                Console.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $$"""{"protocol":"{{name}}","policy":"{{Policies[k]}}","medianNs":{{Math.Round(t[k].MedianNs)}},"minNs":{{Math.Round(t[k].MinNs)}},"rounds":{{rounds}},"callsPerSample":{{CallsPerSample}}}"""));
            }

            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $$"""{"protocol":"{{name}}","noneNs":{{Math.Round(t[0].MedianNs)}},"serverMinusNoneNs":{{Math.Round(t[2].MedianNs - t[0].MedianNs)}},"hostMinusWrapperNs":{{Math.Round(t[3].MedianNs - t[1].MedianNs)}},"bothMinusNoneNs":{{Math.Round(t[4].MedianNs - t[0].MedianNs)}},"dotnet":"{{Environment.Version}}"}"""));
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
}
