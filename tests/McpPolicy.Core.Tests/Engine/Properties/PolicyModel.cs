using System.Globalization;
using System.Text;
using System.Text.Json;

namespace McpPolicy.Core.Tests.Engine.Properties;

/// <summary>A generated condition: the fields of an <see cref="ArgumentCondition"/>, with JSON values as text.</summary>
internal sealed record ConditionSpec(
    string? EqualTo = null,
    string[]? In = null,
    string[]? NotIn = null,
    string? Pattern = null,
    decimal? Min = null,
    decimal? Max = null,
    int? MinLength = null,
    int? MaxLength = null,
    bool Required = false)
{
    /// <summary>Combines two conditions (fields of this one win) and keeps the bounds consistent.</summary>
    public ConditionSpec Merge(ConditionSpec other)
    {
        var merged = new ConditionSpec(
            EqualTo ?? other.EqualTo, In ?? other.In, NotIn ?? other.NotIn, Pattern ?? other.Pattern,
            Min ?? other.Min, Max ?? other.Max, MinLength ?? other.MinLength, MaxLength ?? other.MaxLength, Required || other.Required);
        if (merged.Min > merged.Max)
        {
            merged = merged with { Min = merged.Max, Max = merged.Min };
        }

        if (merged.MinLength > merged.MaxLength)
        {
            merged = merged with { MinLength = merged.MaxLength, MaxLength = merged.MinLength };
        }

        return merged;
    }

    public ArgumentCondition ToCondition() => new()
    {
        EqualTo = EqualTo is null ? null : Parse(EqualTo),
        In = In?.Select(Parse).ToList(),
        NotIn = NotIn?.Select(Parse).ToList(),
        Pattern = Pattern,
        Min = Min,
        Max = Max,
        MinLength = MinLength,
        MaxLength = MaxLength,
        Required = Required,
    };

    public override string ToString()
    {
        var parts = new List<string>();
        Add("equals", EqualTo);
        Add("in", In is null ? null : "[" + string.Join(",", In) + "]");
        Add("notIn", NotIn is null ? null : "[" + string.Join(",", NotIn) + "]");
        Add("pattern", Pattern is null ? null : JsonSerializer.Serialize(Pattern));
        Add("min", Min?.ToString(CultureInfo.InvariantCulture));
        Add("max", Max?.ToString(CultureInfo.InvariantCulture));
        Add("minLength", MinLength?.ToString(CultureInfo.InvariantCulture));
        Add("maxLength", MaxLength?.ToString(CultureInfo.InvariantCulture));
        Add("required", Required ? "true" : null);
        return "{" + string.Join(",", parts) + "}";

        void Add(string key, string? value)
        {
            if (value is not null)
            {
                parts.Add($"\"{key}\":{value}");
            }
        }
    }

    private static JsonElement Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }
}

/// <summary>A generated <c>tools</c> entry.</summary>
internal sealed record ToolSpec(string Match, RiskLevel Risk, RiskLevel OnViolation, (string Key, ConditionSpec Condition)[] Arguments)
{
    public ToolPolicy ToPolicy(bool reverseConditions)
    {
        var tool = new ToolPolicy(Match, Risk) { OnViolation = OnViolation };
        foreach (var (key, condition) in reverseConditions ? Arguments.Reverse() : Arguments)
        {
            tool.Arguments[key] = condition.ToCondition();
        }

        return tool;
    }

    public override string ToString()
        => $"{{\"match\":\"{Match}\",\"risk\":\"{Risk}\",\"onViolation\":\"{OnViolation}\",\"arguments\":{{{string.Join(",", Arguments.Select(a => $"\"{a.Key}\":{a.Condition}"))}}}}}";
}

/// <summary>A generated <c>rules</c> entry.</summary>
internal sealed record RuleSpec(string Id, string Match, RiskLevel Risk, (string Key, ConditionSpec Condition)[] When)
{
    public RulePolicy ToPolicy(bool reverseConditions)
    {
        var rule = new RulePolicy(Id, Match, Risk);
        foreach (var (key, condition) in reverseConditions ? When.Reverse() : When)
        {
            rule.When[key] = condition.ToCondition();
        }

        return rule;
    }

    public override string ToString()
        => $"{{\"id\":\"{Id}\",\"match\":\"{Match}\",\"risk\":\"{Risk}\",\"when\":{{{string.Join(",", When.Select(a => $"\"{a.Key}\":{a.Condition}"))}}}}}";
}

/// <summary>A generated custom rule: what it looks at and what it asks for.</summary>
internal sealed record CustomRuleSpec(string Id, string Kind, string Operand, RiskLevel Risk)
{
    public IPolicyRule ToRule() => new ScriptedRule(Id, Kind, Operand, Risk);

    public override string ToString() => $"custom {Id}: {Kind}({Operand}) -> {Risk}";
}

/// <summary>A generated policy.</summary>
internal sealed record PolicySpec(
    RiskLevel DefaultRisk,
    RiskLevel UnknownTool,
    (string Server, bool Trusted)[] Servers,
    ToolSpec[] Tools,
    RuleSpec[] Rules,
    CustomRuleSpec[] CustomRules)
{
    public McpPolicyOptions ToOptions(bool reverseConditions = false, IEnumerable<RuleSpec>? rulesInOrder = null)
    {
        var options = new McpPolicyOptions();
        options.Defaults.Risk = DefaultRisk;
        options.Defaults.UnknownTool = UnknownTool;
        foreach (var (server, trusted) in Servers)
        {
            options.Servers[server] = new ServerPolicy { Trusted = trusted };
        }

        foreach (var tool in Tools)
        {
            options.Tools.Add(tool.ToPolicy(reverseConditions));
        }

        foreach (var rule in rulesInOrder ?? Rules)
        {
            options.Rules.Add(rule.ToPolicy(reverseConditions));
        }

        return options;
    }

    public PolicyEvaluator Compile(params IPolicyRule[] extraRules)
        => new(ToOptions(), [.. CustomRules.Select(c => c.ToRule()), .. extraRules]);

    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"defaults: risk {DefaultRisk}, unknownTool {UnknownTool}; servers: {string.Join(", ", Servers.Select(s => $"{s.Server}={(s.Trusted ? "trusted" : "untrusted")}"))}");
        for (var i = 0; i < Tools.Length; i++)
        {
            sb.AppendLine().Append(CultureInfo.InvariantCulture, $"  tools[{i}] {Tools[i]}");
        }

        foreach (var rule in Rules)
        {
            sb.AppendLine().Append("  rule ").Append(rule);
        }

        foreach (var custom in CustomRules)
        {
            sb.AppendLine().Append("  ").Append(custom);
        }

        return sb.ToString();
    }
}

/// <summary>A generated call.</summary>
internal sealed record CallSpec(string Server, string Tool, bool Known, ToolHints Hints, RiskLevel? DeclaredRisk, string Arguments)
{
    public ToolInvocationContext ToContext()
        => new(Server, Tool, ToolArguments.Parse(Arguments), Known ? new ToolDescriptor(Tool) { Hints = Hints, DeclaredRisk = DeclaredRisk } : null);

    public override string ToString()
        => $"{Server}/{Tool} {(Known ? $"hints({Hints.ReadOnly},{Hints.Destructive},{Hints.OpenWorld}) declared={DeclaredRisk?.ToString() ?? "-"}" : "UNKNOWN")} {Arguments}";
}

/// <summary>A generated policy with calls to decide.</summary>
internal sealed record PolicyCase(PolicySpec Policy, CallSpec[] Calls)
{
    public override string ToString() => $"{Environment.NewLine}{Policy}{Environment.NewLine}calls:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", Calls.Select(c => c.ToString()))}";
}
