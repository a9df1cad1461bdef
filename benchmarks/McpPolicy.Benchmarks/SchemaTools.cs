using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using McpPolicy.Schemas;

namespace McpPolicy.Benchmarks;

/// <summary>
/// <c>measure-schemas DIR</c>, run by benchmarks/compare-ajv.sh: times the reference schemas with Stopwatch exactly as
/// benchmarks/ajv/ajv-bench.mjs times ajv (warm-up, 200 batches of about 2 ms, median per-call time) and prints the
/// same JSON lines.
/// </summary>
internal static class SchemaTools
{
    private const int WarmupMilliseconds = 500;
    private const int Batches = 200;
    private const double BatchTargetNs = 2e6;
    private const int AllocationCalls = 10_000;
    private const int CompileWarmup = 50;
    private const int Compiles = 200;

    public static int Measure(string dir)
    {
        bool mismatch = false;
        foreach (var name in ReferenceSchemas.Names)
        {
            var schema = ReferenceSchemas.Load(dir, name, "schema");
            var valid = ReferenceSchemas.Load(dir, name, "valid");
            var invalid = ReferenceSchemas.Load(dir, name, "invalid");
            var validator = new SchemaRegistry().GetValidator(schema);

            (string Instance, bool Expected, bool Verdict, int? Errors, Func<bool> Call)[] rows =
            [
                ("valid", true, validator.IsValid(valid), null, () => validator.IsValid(valid)),
                ("invalid", false, validator.IsValid(invalid), null, () => validator.IsValid(invalid)),
                ("invalid-errors", false, validator.Validate(invalid).IsValid, validator.Validate(invalid).Errors.Count, () => validator.Validate(invalid).IsValid),
            ];
            foreach (var (instance, expected, verdict, errors, call) in rows)
            {
                if (verdict != expected)
                {
                    Console.Error.WriteLine($"warning: {name}.{(expected ? "valid" : "invalid")}.json is {(verdict ? "valid" : "invalid")}, expected {(expected ? "valid" : "invalid")}");
                    mismatch = true;
                }

                var (median, min, perBatch, allocated) = Time(call);
                string errorsField = errors is { } n ? string.Create(CultureInfo.InvariantCulture, $",\"errors\":{n}") : string.Empty;
                Print(name, instance, string.Create(
                    CultureInfo.InvariantCulture,
                    $"\"valid\":{(verdict ? "true" : "false")}{errorsField},\"medianNs\":{Math.Round(median, 1)},\"minNs\":{Math.Round(min, 1)},\"allocatedBytesPerCall\":{Math.Round(allocated, 2)},\"batches\":{Batches},\"callsPerBatch\":{perBatch}"));
            }

            var (compileMedian, compileMin, compileAllocated) = TimeCompile(schema);
            Print(name, "compile", string.Create(
                CultureInfo.InvariantCulture,
                $"\"medianNs\":{Math.Round(compileMedian, 1)},\"minNs\":{Math.Round(compileMin, 1)},\"allocatedBytesPerCall\":{Math.Round(compileAllocated)},\"compiles\":{Compiles}"));
        }

        return mismatch ? 1 : 0;
    }

    private static void Print(string schema, string instance, string fields) =>
        Console.WriteLine($$"""{"engine":"mcppolicy","schema":"{{schema}}","instance":"{{instance}}",{{fields}},"dotnet":"{{Environment.Version}}"}""");

    private static (double Median, double Min, int PerBatch, double Allocated) Time(Func<bool> call)
    {
        long sink = 0;
        long calls = 0;
        long start = Stopwatch.GetTimestamp();
        long warmupEnd = start + (Stopwatch.Frequency * WarmupMilliseconds / 1000);
        while (Stopwatch.GetTimestamp() < warmupEnd)
        {
            for (int i = 0; i < 100; i++)
            {
                sink += call() ? 1 : 0;
            }

            calls += 100;
        }

        double estimate = Stopwatch.GetElapsedTime(start).TotalNanoseconds / calls;
        int perBatch = (int)Math.Max(100, Math.Round(BatchTargetNs / Math.Max(estimate, 1)));
        var perCall = new double[Batches];
        for (int b = 0; b < Batches; b++)
        {
            long t0 = Stopwatch.GetTimestamp();
            for (int i = 0; i < perBatch; i++)
            {
                sink += call() ? 1 : 0;
            }

            perCall[b] = Stopwatch.GetElapsedTime(t0).TotalNanoseconds / perBatch;
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < AllocationCalls; i++)
        {
            sink += call() ? 1 : 0;
        }

        double allocated = (double)(GC.GetAllocatedBytesForCurrentThread() - before) / AllocationCalls;
        GC.KeepAlive(sink);
        Array.Sort(perCall);
        return ((perCall[(Batches / 2) - 1] + perCall[Batches / 2]) / 2, perCall[0], perBatch, allocated);
    }

    /// <summary>Compiles with a new registry each time, so the validator cache never answers (as in SchemaValidationBenchmarks.Compile).</summary>
    private static (double Median, double Min, double Allocated) TimeCompile(JsonElement schema)
    {
        // Warm up for as long as the validation loops do, so that the compiler's code is tiered up too.
        long warmupEnd = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * WarmupMilliseconds / 1000);
        for (int i = 0; i < CompileWarmup || Stopwatch.GetTimestamp() < warmupEnd; i++)
        {
            GC.KeepAlive(new SchemaRegistry().GetValidator(schema));
        }

        var ns = new double[Compiles];
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Compiles; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            GC.KeepAlive(new SchemaRegistry().GetValidator(schema));
            ns[i] = Stopwatch.GetElapsedTime(t0).TotalNanoseconds;
        }

        double allocated = (double)(GC.GetAllocatedBytesForCurrentThread() - before) / Compiles;
        Array.Sort(ns);
        return ((ns[(Compiles / 2) - 1] + ns[Compiles / 2]) / 2, ns[0], allocated);
    }
}
