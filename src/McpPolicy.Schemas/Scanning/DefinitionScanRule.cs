using System.Runtime.CompilerServices;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;

namespace McpPolicy.Schemas;

/// <summary>
/// Raises every call to a tool whose definition has findings (see <see cref="ToolDefinitionScanner"/>) to the risk of its most severe
/// finding at or above <see cref="DefinitionScanOptions.MinimumSeverity"/>: Medium audits, High needs an approval, Critical blocks.
/// The reason names the finding id and where it is, never the definition's text, so an injected instruction is not echoed to the model.
/// </summary>
/// <remarks>
/// Each tool descriptor is scanned once; the verdict lives as long as the descriptor.
/// Calls to tools the gate does not know get no opinion here: <c>defaults.unknownTool</c> decides them. The rule scans one tool at a
/// time; shadowing across servers needs a catalog scan (<see cref="ToolDefinitionScanner.ScanCatalog(IEnumerable{KeyValuePair{string, IReadOnlyList{ModelContextProtocol.Protocol.Tool}}})"/>
/// or <c>mcp-policy scan</c>). A scan that throws makes the call BLOCK, as for every rule.
/// Add it with <see cref="DefinitionScanningMcpPolicyBuilderExtensions.AddDefinitionScanning"/>.
/// </remarks>
public sealed class DefinitionScanRule : IPolicyRule
{
    /// <summary>The rule's id in decisions and audit records.</summary>
    public const string RuleId = "definition-scan";

    private const int MaxPointerShown = 80;

    private readonly ToolDefinitionScanner _scanner;
    private readonly FindingSeverity _minimum;
    private readonly ConditionalWeakTable<ToolDescriptor, StrongBox<RuleVerdict>> _verdicts = [];

    /// <summary>Creates the rule from a snapshot of <paramref name="options"/>.</summary>
    /// <param name="options">The scan limits and the lowest severity that raises risk.</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public DefinitionScanRule(IOptions<DefinitionScanOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var value = options.Value ?? throw new ArgumentException("The options hold no value.", nameof(options));
        _scanner = new ToolDefinitionScanner(value);
        _minimum = value.MinimumSeverity;
    }

    /// <inheritdoc />
    public string Id => RuleId;

    /// <inheritdoc />
    public RuleVerdict Evaluate(ToolInvocationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var tool = context.Tool;
        if (tool is null)
        {
            return RuleVerdict.NoOpinion;
        }

        // A descriptor is immutable and a changed definition gets a new one, so the verdict is remembered per descriptor for as long
        // as the catalog holds it.
        if (_verdicts.TryGetValue(tool, out var cached))
        {
            return cached.Value;
        }

        var verdict = Assess(tool);
        _verdicts.AddOrUpdate(tool, new StrongBox<RuleVerdict>(verdict));
        return verdict;
    }

    private RuleVerdict Assess(ToolDescriptor tool)
    {
        DefinitionScanResult result;
        if (tool.ProtocolTool is { } protocol)
        {
            result = _scanner.Scan(protocol);
        }
        else
        {
            // A descriptor without a protocol definition: scan what the gate has, its name and input schema.
            var json = new System.Text.Json.Nodes.JsonObject { ["name"] = tool.Name };
            if (tool.InputSchema is { } schema)
            {
                json["inputSchema"] = System.Text.Json.Nodes.JsonNode.Parse(schema.GetRawText());
            }

            using var document = System.Text.Json.JsonDocument.Parse(json.ToJsonString());
            result = _scanner.Scan(document.RootElement.Clone());
        }

        DefinitionFinding? worst = null;
        var count = 0;
        foreach (var finding in result.Findings)
        {
            if (finding.Severity < _minimum)
            {
                continue;
            }

            count++;
            if (worst is null || finding.Severity > worst.Severity)
            {
                worst = finding;
            }
        }

        if (worst is null)
        {
            // Findings over the per-tool limit still count: an omitted finding at or above the minimum raises to the highest severity.
            return result.HighestSeverity is { } highest && highest >= _minimum
                ? RuleVerdict.Raise(DefinitionFinding.ToRisk(highest), "the tool's definition has more findings than were kept; review it with a catalog scan")
                : RuleVerdict.NoOpinion;
        }

        var severity = result.HighestSeverity is { } top && top > worst.Severity ? top : worst.Severity;
        var reason = string.Create(CultureInfo.InvariantCulture,
            $"the tool's definition has {count} finding(s) at {_minimum} or above; the most severe is {worst.Id} ({worst.Severity}) at {SafePointer(worst.Pointer)}");
        return RuleVerdict.Raise(DefinitionFinding.ToRisk(severity), reason);
    }

    /// <summary>A pointer safe to show to a model: characters other than letters, digits and <c>/_.-~</c> become '?', and it is cut short.</summary>
    private static string SafePointer(string pointer)
    {
        if (pointer.Length == 0)
        {
            return "the definition root";
        }

        var builder = new StringBuilder(Math.Min(pointer.Length, MaxPointerShown) + 1);
        foreach (var c in pointer)
        {
            if (builder.Length >= MaxPointerShown)
            {
                builder.Append('…');
                break;
            }

            builder.Append(char.IsAsciiLetterOrDigit(c) || c is '/' or '_' or '.' or '-' or '~' ? c : '?');
        }

        return builder.ToString();
    }
}
