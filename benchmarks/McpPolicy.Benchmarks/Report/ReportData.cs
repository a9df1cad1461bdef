using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace McpPolicy.Benchmarks.Report;

/// <summary>One BenchmarkDotNet case: class, method, parameters and its statistics (nanoseconds, bytes per operation).</summary>
internal sealed record BdnResult(string Class, string Method, IReadOnlyDictionary<string, string> Parameters, double MedianNs, double MeanNs, double StdDevNs, double? AllocatedBytes)
{
    /// <summary>True when this case is <paramref name="method"/> of <paramref name="type"/> with every given parameter value.</summary>
    public bool Is(string type, string method, params (string Name, string Value)[] parameters) =>
        Class == type && Method == method && parameters.All(p => Parameters.TryGetValue(p.Name, out var v) && v == p.Value);
}

/// <summary>Everything the report is written from: the BenchmarkDotNet results and the JSON lines of the measurement modes and peers.</summary>
internal sealed class ReportData
{
    public required MachineInfo Machine { get; init; }

    public IReadOnlyList<BdnResult> Bdn { get; init; } = [];

    /// <summary><c>measure-decisions</c> (engine mcppolicy) and <c>cedar-bench.mjs</c> (engine cedar-wasm) lines.</summary>
    public IReadOnlyList<JsonObject> Decisions { get; init; } = [];

    /// <summary><c>measure-schemas</c> (engine mcppolicy) and <c>ajv-bench.mjs</c> (engine ajv) lines.</summary>
    public IReadOnlyList<JsonObject> Schemas { get; init; } = [];

    /// <summary><c>measure-host-gate</c> lines.</summary>
    public IReadOnlyList<JsonObject> HostGate { get; init; } = [];

    /// <summary><c>measure-server-gate</c> lines (what <c>WithPolicy</c> adds to a real server's <c>tools/call</c>, as CPU time).</summary>
    public IReadOnlyList<JsonObject> ServerGate { get; init; } = [];

    /// <summary><c>measure-end-to-end</c> lines (the in-process round trip, every placement interleaved in one process).</summary>
    public IReadOnlyList<JsonObject> EndToEnd { get; init; } = [];

    /// <summary><c>bench-gateway.mjs</c> lines, each with the <c>policy</c> (full or allow-all) and <c>run</c> the driver added.</summary>
    public IReadOnlyList<JsonObject> Gateway { get; init; } = [];

    /// <summary><c>measure-conversation-memory</c> lines.</summary>
    public IReadOnlyList<JsonObject> ConversationMemory { get; init; } = [];

    /// <summary>Problems met while collecting (a step that failed, a file that is missing); printed in the report, never hidden.</summary>
    public IReadOnlyList<string> Problems { get; init; } = [];

    public IEnumerable<BdnResult> Cases(string type, string method, params (string Name, string Value)[] parameters) =>
        Bdn.Where(r => r.Is(type, method, parameters));

    public BdnResult? Case(string type, string method, params (string Name, string Value)[] parameters) =>
        Cases(type, method, parameters).FirstOrDefault();

    /// <summary>
    /// Reads a JSON-lines file: every line that starts with <c>{</c> must be a JSON object (anything else, like a build log line, is
    /// skipped). A line that starts with <c>{</c> but does not parse is a problem reported with its file and line number.
    /// </summary>
    public static IReadOnlyList<JsonObject> ReadJsonLines(string path, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        if (!File.Exists(path))
        {
            problems.Add($"{Path.GetFileName(path)} is missing (the step that writes it did not run or failed).");
            return [];
        }

        var result = new List<JsonObject>();
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            var trimmed = line.Trim();
            if (!trimmed.StartsWith('{'))
            {
                continue;
            }

            try
            {
                if (JsonNode.Parse(trimmed) is JsonObject o)
                {
                    result.Add(o);
                }
            }
            catch (JsonException e)
            {
                problems.Add($"{Path.GetFileName(path)} line {number.ToString(CultureInfo.InvariantCulture)} is not valid JSON ({e.Message}).");
            }
        }

        if (result.Count == 0)
        {
            problems.Add($"{Path.GetFileName(path)} has no results.");
        }

        return result;
    }
}

/// <summary>The machine and the conditions of the run.</summary>
internal sealed record MachineInfo(
    string Date,
    string Cpu,
    int LogicalCores,
    string MemoryGiB,
    string Os,
    string DotNet,
    string Node,
    string LoadAtStart,
    string LoadAtEnd,
    string Mode)
{
    /// <summary>Describes this machine now; <paramref name="env"/> holds what the driver script recorded (node version, load at start).</summary>
    public static MachineInfo Describe(IReadOnlyDictionary<string, string> env, string mode)
    {
        ArgumentNullException.ThrowIfNull(env);
        return new MachineInfo(
            env.TryGetValue("started", out var started) ? started : DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture),
            CpuModel(),
            Environment.ProcessorCount,
            (GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024)).ToString("0.0", CultureInfo.InvariantCulture),
            System.Runtime.InteropServices.RuntimeInformation.OSDescription,
            $"{Environment.Version} ({System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture})",
            env.TryGetValue("node", out var node) ? node : "not recorded",
            env.TryGetValue("load", out var load) ? load : "not recorded",
            LoadAverage(),
            mode);
    }

    /// <summary>Reads <c>key=value</c> lines (the driver's env.txt); a missing file is an empty map.</summary>
    public static Dictionary<string, string> ReadEnv(string path)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return map;
        }

        foreach (var line in File.ReadLines(path))
        {
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                map[line[..eq].Trim()] = line[(eq + 1)..].Trim();
            }
        }

        return map;
    }

    private static string CpuModel()
    {
        try
        {
            if (File.Exists("/proc/cpuinfo"))
            {
                var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
                if (line is not null && line.IndexOf(':', StringComparison.Ordinal) is var colon and > 0)
                {
                    return line[(colon + 1)..].Trim();
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return "unknown";
    }

    private static string LoadAverage()
    {
        try
        {
            if (File.Exists("/proc/loadavg"))
            {
                var parts = File.ReadAllText("/proc/loadavg").Split(' ');
                return string.Join(", ", parts.Take(3));
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return "not available";
    }
}
