using System.Diagnostics;

namespace McpPolicy.Benchmarks;

/// <summary>One variant's result of <see cref="InterleavedRounds.Measure"/>: per call, the median and the fastest round, and bytes allocated.</summary>
internal readonly record struct VariantTiming(double MedianNs, double MinNs, double AllocatedBytesPerCall);

/// <summary>
/// The loop the <c>measure-*</c> modes share: every variant set up side by side in one process, warmed up, then timed in rounds in
/// which each variant runs one sample, the order rotating every round so that no variant always follows the same one. Timed as CPU
/// time of the calling thread (<see cref="ThreadCpu"/>, not inflated by time slicing) or as wall-clock time.
/// </summary>
internal static class InterleavedRounds
{
    /// <param name="variants">The variants, set up in this order.</param>
    /// <param name="setup">Prepares a variant.</param>
    /// <param name="sample">Runs <paramref name="callsPerSample"/> calls of a variant (the loop stays in the caller, so no delegate call is timed per call).</param>
    /// <param name="cleanup">Releases a variant; runs for every variant, whatever happened.</param>
    /// <param name="rounds">Timed rounds.</param>
    /// <param name="warmupRounds">Untimed rounds first.</param>
    /// <param name="callsPerSample">Calls per sample, to turn a sample's time into time per call.</param>
    /// <param name="cpuTime">CPU time of this thread when true (Linux), else wall-clock time.</param>
    public static VariantTiming[] Measure<T>(
        IReadOnlyList<T> variants,
        Action<T> setup,
        Action<T> sample,
        Action<T> cleanup,
        int rounds,
        int warmupRounds,
        int callsPerSample,
        bool cpuTime)
    {
        try
        {
            foreach (var variant in variants)
            {
                setup(variant);
            }

            for (var w = 0; w < warmupRounds; w++)
            {
                foreach (var variant in variants)
                {
                    sample(variant);
                }
            }

            var samples = variants.Select(_ => new double[rounds]).ToArray();
            var allocated = new double[variants.Count];
            for (var r = 0; r < rounds; r++)
            {
                for (var j = 0; j < variants.Count; j++)
                {
                    var k = (j + r) % variants.Count;
                    var bytes = GC.GetAllocatedBytesForCurrentThread();
                    var start = cpuTime ? ThreadCpu.Nanoseconds() : Stopwatch.GetTimestamp();
                    sample(variants[k]);
                    var elapsedNs = cpuTime ? ThreadCpu.Nanoseconds() - start : Stopwatch.GetElapsedTime(start).TotalNanoseconds;
                    samples[k][r] = elapsedNs / callsPerSample;
                    allocated[k] = (GC.GetAllocatedBytesForCurrentThread() - bytes) / (double)callsPerSample;
                }
            }

            return [.. samples.Select((s, k) => new VariantTiming(Median(s), s.Min(), allocated[k]))];
        }
        finally
        {
            foreach (var variant in variants)
            {
                cleanup(variant);
            }
        }
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
