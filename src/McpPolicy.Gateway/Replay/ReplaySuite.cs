using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Gateway.Replay;

/// <summary>Where a recorded call came from: the user's own task, or a call the injected instructions added.</summary>
internal enum CallOrigin
{
    /// <summary>Part of the user's task.</summary>
    User,

    /// <summary>Added by the attacker's injected instructions.</summary>
    Injection,
}

/// <summary>One recorded tool call: its arguments, the result the tool returned, and its role in an attack trace.</summary>
/// <param name="Tool">The tool name (not server-qualified).</param>
/// <param name="ArgumentsJson">The arguments object as JSON text.</param>
/// <param name="Result">The result text the tool returned (what the model saw).</param>
/// <param name="Origin">User task or injection.</param>
/// <param name="AttackCritical">True for the calls whose blocking defeats the attacker's goal.</param>
internal sealed record ReplayCall(string Tool, string ArgumentsJson, string Result, CallOrigin Origin = CallOrigin.User, bool AttackCritical = false);

/// <summary>One recorded conversation: a benign user task or an attack trace.</summary>
/// <param name="Id">The task or trace id.</param>
/// <param name="IsAttack">True for an attack trace.</param>
/// <param name="Calls">The calls in order.</param>
internal sealed record ReplayTrace(string Id, bool IsAttack, IReadOnlyList<ReplayCall> Calls);

/// <summary>
/// One AgentDojo-format suite folder: <c>tools.json</c> (MCP tool definitions), <c>user_tasks.jsonl</c> (benign traces) and
/// <c>attack_traces.jsonl</c> (attack traces). Other files of the folder (tool_facts.json, injection_tasks.jsonl, ...) are never read, so
/// nothing the policy under test should not know reaches it.
/// </summary>
internal sealed class ReplaySuite
{
    public ReplaySuite(string name, IReadOnlyList<Tool> tools, IReadOnlyList<ReplayTrace> benign, IReadOnlyList<ReplayTrace> attacks)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException("A suite name is used as the server id and must not contain '/'.", nameof(name));
        }

        Name = name;
        Tools = tools;
        Benign = benign;
        Attacks = attacks;
    }

    /// <summary>The suite name, also the server id the calls are made against (policy globs are <c>&lt;suite&gt;/&lt;tool&gt;</c>).</summary>
    public string Name { get; }

    /// <summary>The tool catalog.</summary>
    public IReadOnlyList<Tool> Tools { get; }

    /// <summary>The benign user-task traces.</summary>
    public IReadOnlyList<ReplayTrace> Benign { get; }

    /// <summary>The attack traces.</summary>
    public IReadOnlyList<ReplayTrace> Attacks { get; }

    /// <summary>Loads a suite folder; the suite name is the folder's name.</summary>
    /// <exception cref="UsageException">The folder or one of its files is missing or malformed; the message names the file and line.</exception>
    public static ReplaySuite Load(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var full = Path.GetFullPath(directory);
        if (!Directory.Exists(full))
        {
            throw new UsageException($"the suite folder '{directory}' does not exist; pass one suite folder (with tools.json, user_tasks.jsonl and attack_traces.jsonl) with --suite DIR.");
        }

        var name = new DirectoryInfo(full).Name;
        var tools = LoadTools(Path.Combine(full, "tools.json"));
        var benign = LoadTraces(Path.Combine(full, "user_tasks.jsonl"), isAttack: false);
        var attacks = LoadTraces(Path.Combine(full, "attack_traces.jsonl"), isAttack: true);
        return new ReplaySuite(name, tools, benign, attacks);
    }

    private static List<Tool> LoadTools(string path)
    {
        var typeInfo = (JsonTypeInfo<Tool>)McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(Tool));
        try
        {
            using var document = JsonDocument.Parse(ReadAllBytes(path));
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new UsageException($"'{path}' must be a JSON array of MCP tool definitions.");
            }

            var tools = new List<Tool>();
            foreach (var element in document.RootElement.EnumerateArray())
            {
                var tool = element.Deserialize(typeInfo) ?? throw new UsageException($"'{path}' contains a null tool definition.");
                if (string.IsNullOrEmpty(tool.Name))
                {
                    throw new UsageException($"'{path}' contains a tool definition without a name.");
                }

                tools.Add(tool);
            }

            return tools;
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            throw new UsageException($"'{path}' is not a valid list of MCP tool definitions: {e.Message}", e);
        }
    }

    private static List<ReplayTrace> LoadTraces(string path, bool isAttack)
    {
        var traces = new List<ReplayTrace>();
        var lineNumber = 0;
        foreach (var line in ReadAllLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            try
            {
                using var document = JsonDocument.Parse(line);
                traces.Add(ReadTrace(document.RootElement, isAttack));
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
            {
                throw new UsageException($"'{path}' line {lineNumber} is not a valid trace: {e.Message}", e);
            }
        }

        return traces;
    }

    private static ReplayTrace ReadTrace(JsonElement trace, bool isAttack)
    {
        var id = trace.GetProperty("id").GetString() ?? throw new FormatException("\"id\" must be a string");
        var calls = new List<ReplayCall>();
        foreach (var call in trace.GetProperty("calls").EnumerateArray())
        {
            var tool = call.GetProperty("tool").GetString() ?? throw new FormatException("\"tool\" must be a string");
            var args = call.TryGetProperty("args", out var a) && a.ValueKind == JsonValueKind.Object ? a.GetRawText() : "{}";
            var result = call.TryGetProperty("result", out var r)
                ? r.ValueKind == JsonValueKind.String ? r.GetString()! : r.GetRawText()
                : string.Empty;
            var origin = call.TryGetProperty("origin", out var o) && string.Equals(o.GetString(), "injection", StringComparison.Ordinal)
                ? CallOrigin.Injection
                : CallOrigin.User;
            var critical = call.TryGetProperty("attack_critical", out var c) && c.ValueKind == JsonValueKind.True;
            calls.Add(new ReplayCall(tool, args, result, origin, critical));
        }

        return new ReplayTrace(id, isAttack, calls);
    }

    private static byte[] ReadAllBytes(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot read '{path}': {e.Message}", e);
        }
    }

    private static string[] ReadAllLines(string path)
    {
        try
        {
            return File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot read '{path}': {e.Message}", e);
        }
    }
}
