using System.Buffers;
using System.Collections.Frozen;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using McpPolicy.Schemas.Scanning;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Schemas;

/// <summary>
/// Scans MCP tool definitions for what a model reads but a person reviewing the catalog might miss: hidden Unicode, terminal escapes,
/// hidden markup, instructions aimed at the model, references to secrets, encoded blobs and exfiltration-shaped parameters; and, over a
/// catalog of several servers, shadowing (a name on two servers, a tool naming another server's tools, look-alike names).
/// </summary>
/// <remarks>
/// Deterministic, no network, no model. Every string of the definition is scanned: name, title, description, every schema string
/// (property names, descriptions, enum values, defaults, examples), <c>_meta</c> and annotations. Each detector is a single pass or a
/// multi-string search, so time is linear in the definition; findings are bounded per tool. It never throws on any JSON input: what it
/// cannot read or scan becomes a finding. Thread-safe.
/// </remarks>
public sealed class ToolDefinitionScanner
{
    /// <summary>Every id in <see cref="DefinitionFindingIds"/>.</summary>
    internal static readonly FrozenSet<string> KnownIds = typeof(DefinitionFindingIds)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral)
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToFrozenSet(StringComparer.Ordinal);

    private readonly DefinitionScanOptions _options;
    private readonly FrozenSet<string> _ignored;

    /// <summary>Creates a scanner from a snapshot of <paramref name="options"/>.</summary>
    /// <param name="options">Limits and ignored findings; the defaults apply when null.</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public ToolDefinitionScanner(DefinitionScanOptions? options = null)
    {
        options ??= new DefinitionScanOptions();
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid definition scan options: " + string.Join(" ", errors), nameof(options));
        }

        _options = new DefinitionScanOptions
        {
            MinimumSeverity = options.MinimumSeverity,
            MaxDepth = options.MaxDepth,
            MaxTextLength = options.MaxTextLength,
            MaxFindingsPerTool = options.MaxFindingsPerTool,
            MaxComparedTools = options.MaxComparedTools,
        };
        _ignored = options.IgnoredFindings.ToFrozenSet(StringComparer.Ordinal);
    }

    /// <summary>Scans one tool definition as the MCP SDK serializes it.</summary>
    /// <param name="tool">The definition.</param>
    /// <returns>The findings.</returns>
    public DefinitionScanResult Scan(Tool tool)
    {
        ArgumentNullException.ThrowIfNull(tool);
        return Scan(ToJson(tool));
    }

    /// <summary>Scans one raw tool definition (a JSON object as listed by <c>tools/list</c>).</summary>
    /// <param name="definition">The definition; anything other than an object with a string name is itself a finding.</param>
    /// <returns>The findings.</returns>
    public DefinitionScanResult Scan(JsonElement definition)
    {
        var sink = NewSink(null);
        new DefinitionWalker(sink, _options.MaxDepth, _options.MaxTextLength).Walk(definition);
        return new DefinitionScanResult(sink.Findings, sink.Highest, sink.Omitted, 1);
    }

    /// <summary>Scans the tools of several servers as one catalog: each definition, plus shadowing between them.</summary>
    /// <param name="servers">Host-configured server id → that server's tools.</param>
    /// <returns>The findings, ordered by server and tool as given.</returns>
    public DefinitionScanResult ScanCatalog(IEnumerable<KeyValuePair<string, IReadOnlyList<Tool>>> servers)
    {
        ArgumentNullException.ThrowIfNull(servers);
        return ScanCatalog(servers.Select(s => new KeyValuePair<string, IReadOnlyList<JsonElement>>(s.Key, s.Value.Select(ToJson).ToArray())));
    }

    /// <summary>Scans raw tool definitions of several servers as one catalog: each definition, plus shadowing between them.</summary>
    /// <param name="servers">Host-configured server id → that server's tool definitions (JSON objects).</param>
    /// <returns>The findings, ordered by server and tool as given.</returns>
    public DefinitionScanResult ScanCatalog(IEnumerable<KeyValuePair<string, IReadOnlyList<JsonElement>>> servers)
    {
        ArgumentNullException.ThrowIfNull(servers);
        var tools = new List<ScannedTool>();
        foreach (var (serverId, definitions) in servers)
        {
            ArgumentNullException.ThrowIfNull(serverId, nameof(servers));
            ArgumentNullException.ThrowIfNull(definitions, nameof(servers));
            foreach (var definition in definitions)
            {
                var sink = NewSink(serverId);
                var walker = new DefinitionWalker(sink, _options.MaxDepth, _options.MaxTextLength);
                var name = walker.Walk(definition);
                tools.Add(new ScannedTool(serverId, name, sink, walker.Strings));
            }
        }

        CheckShadowing(tools);

        var findings = new List<DefinitionFinding>();
        FindingSeverity? highest = null;
        var omitted = 0;
        foreach (var tool in tools)
        {
            findings.AddRange(tool.Sink.Findings);
            omitted += tool.Sink.Omitted;
            if (tool.Sink.Highest is { } h && (highest is null || h > highest))
            {
                highest = h;
            }
        }

        return new DefinitionScanResult(findings, highest, omitted, tools.Count);
    }

    private FindingSink NewSink(string? serverId) => new(_options.MaxFindingsPerTool, _ignored) { ServerId = serverId };

    private static JsonElement ToJson(Tool tool)
    {
        var typeInfo = (JsonTypeInfo<Tool>)McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(Tool));
        return JsonSerializer.SerializeToElement(tool, typeInfo);
    }

    private void CheckShadowing(List<ScannedTool> tools)
    {
        var named = tools.Where(t => t.Name is not null).ToList();

        // The same name twice: on two servers (shadowing) or twice on one server (ambiguous).
        foreach (var group in named.GroupBy(t => t.Name!, StringComparer.Ordinal))
        {
            var members = group.ToList();
            if (members.Count < 2)
            {
                continue;
            }

            foreach (var tool in members)
            {
                var others = members.Where(o => !ReferenceEquals(o, tool)).Select(o => o.ServerId).Distinct(StringComparer.Ordinal).ToList();
                var message = others.All(o => o == tool.ServerId)
                    ? $"the server lists the tool name '{VisibleText.Show(tool.Name!, 60)}' more than once"
                    : $"the tool name '{VisibleText.Show(tool.Name!, 60)}' is also offered by server(s) {string.Join(", ", others.Where(o => o != tool.ServerId).Select(o => "'" + VisibleText.Show(o, 40) + "'"))}";
                tool.Sink.Add(DefinitionFindingIds.DuplicateName, FindingSeverity.High, "/name", message, VisibleText.Show(tool.Name!, 60));
            }
        }

        // Different names that look the same.
        foreach (var group in named.GroupBy(t => NameInspector.Skeleton(t.Name!), StringComparer.Ordinal))
        {
            var members = group.ToList();
            if (members.Count < 2)
            {
                continue;
            }

            foreach (var tool in members)
            {
                foreach (var other in members)
                {
                    if (!string.Equals(other.Name, tool.Name, StringComparison.Ordinal))
                    {
                        tool.Sink.Add(DefinitionFindingIds.ConfusableName, FindingSeverity.High, "/name",
                            $"the tool name looks like '{VisibleText.Show(other.Name!, 60)}' on server '{VisibleText.Show(other.ServerId, 40)}'", VisibleText.Show(tool.Name!, 60));
                        break;
                    }
                }
            }
        }

        CheckNearDuplicates(named);
        CheckCrossServerReferences(named);
    }

    private void CheckNearDuplicates(List<ScannedTool> named)
    {
        if (named.Count > _options.MaxComparedTools)
        {
            return;
        }

        var sorted = named.OrderBy(t => t.Name!.Length).ToList();
        for (var i = 0; i < sorted.Count; i++)
        {
            var a = sorted[i];
            for (var j = i + 1; j < sorted.Count && sorted[j].Name!.Length - a.Name!.Length <= 2; j++)
            {
                var b = sorted[j];
                if (string.Equals(a.ServerId, b.ServerId, StringComparison.Ordinal) || string.Equals(a.Name, b.Name, StringComparison.Ordinal)
                    || Math.Min(a.Name!.Length, b.Name!.Length) < 4)
                {
                    continue;
                }

                var limit = Math.Max(a.Name.Length, b.Name.Length) <= 8 ? 1 : 2;
                if (NameInspector.BoundedDistance(a.Name.ToLowerInvariant(), b.Name.ToLowerInvariant(), limit) <= limit)
                {
                    a.Sink.Add(DefinitionFindingIds.NearDuplicateName, FindingSeverity.Medium, "/name",
                        $"the tool name is close to '{VisibleText.Show(b.Name, 60)}' on server '{VisibleText.Show(b.ServerId, 40)}'", VisibleText.Show(a.Name, 60));
                    b.Sink.Add(DefinitionFindingIds.NearDuplicateName, FindingSeverity.Medium, "/name",
                        $"the tool name is close to '{VisibleText.Show(a.Name, 60)}' on server '{VisibleText.Show(a.ServerId, 40)}'", VisibleText.Show(b.Name, 60));
                }
            }
        }
    }

    private static void CheckCrossServerReferences(List<ScannedTool> named)
    {
        if (named.Select(t => t.ServerId).Distinct(StringComparer.Ordinal).Count() < 2)
        {
            return;
        }

        // Names distinctive enough that their appearance in prose means the tool: with a separator or a camel-case hump, or long.
        var owners = new Dictionary<string, HashSet<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var tool in named)
        {
            if (IsDistinctive(tool.Name!))
            {
                if (!owners.TryGetValue(tool.Name!, out var servers))
                {
                    owners[tool.Name!] = servers = new HashSet<string>(StringComparer.Ordinal);
                }

                servers.Add(tool.ServerId);
            }
        }

        if (owners.Count == 0)
        {
            return;
        }

        var names = owners.Keys.ToArray();
        var search = SearchValues.Create(names, StringComparison.OrdinalIgnoreCase);

        // Candidates by first letter, longest first, so a match is resolved without trying every name.
        var byFirst = names.GroupBy(n => char.ToLowerInvariant(n[0])).ToDictionary(g => g.Key, g => g.OrderByDescending(n => n.Length).ToArray());
        foreach (var tool in named)
        {
            foreach (var (pointer, text) in tool.Strings)
            {
                var from = 0;
                while (from < text.Length)
                {
                    var index = text.AsSpan(from).IndexOfAny(search);
                    if (index < 0)
                    {
                        break;
                    }

                    index += from;
                    var candidates = byFirst.TryGetValue(char.ToLowerInvariant(text[index]), out var list) ? list : [];
                    var match = candidates.FirstOrDefault(n => text.AsSpan(index).StartsWith(n, StringComparison.OrdinalIgnoreCase) && IsWholeName(text, index, n.Length));
                    if (match is not null)
                    {
                        var servers = owners[match];
                        if (!servers.Contains(tool.ServerId))
                        {
                            tool.Sink.Add(DefinitionFindingIds.CrossServerReference, FindingSeverity.High, pointer,
                                $"this text names '{VisibleText.Show(match, 60)}', a tool of server(s) {string.Join(", ", servers.Order(StringComparer.Ordinal).Select(s => "'" + VisibleText.Show(s, 40) + "'"))}",
                                VisibleText.Excerpt(text, index, match.Length));
                            break;
                        }
                    }

                    from = index + 1;
                }
            }
        }
    }

    private static bool IsDistinctive(string name)
    {
        if (name.Length < 5 || name.Length > NameInspector.MaxNameLength)
        {
            return false;
        }

        if (name.Length >= 8 || name.AsSpan().IndexOfAny('_', '-', '.') > 0)
        {
            return true;
        }

        for (var i = 1; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && char.IsLower(name[i - 1]))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsWholeName(string text, int index, int length)
    {
        static bool NameChar(char c) => char.IsLetterOrDigit(c) || c is '_' or '-';
        if (index > 0 && (NameChar(text[index - 1]) || text[index - 1] == '.'))
        {
            return false;
        }

        var end = index + length;
        if (end >= text.Length)
        {
            return true;
        }

        return !NameChar(text[end]) && !(text[end] == '.' && end + 1 < text.Length && NameChar(text[end + 1]));
    }

    private sealed record ScannedTool(string ServerId, string? Name, FindingSink Sink, List<(string Pointer, string Text)> Strings);
}
