using FsCheck;
using FsCheck.Fluent;

namespace McpPolicy.Core.Tests.Engine.Properties;

/// <summary>Generators of random policies and calls over small alphabets of server and tool names, so that globs, rules and calls collide often.</summary>
internal static class PolicyGenerators
{
    public static readonly string[] ServerNames = ["fs", "web", "bank", "mail"];
    public static readonly string[] ToolNames = ["read_file", "write_file", "delete_x", "send_money", "search", "list"];

    private static readonly string[] ServerPatterns = [.. ServerNames, "*", "f*", "*s", "b*k", "*a*"];
    private static readonly string[] ToolPatterns = [.. ToolNames, "*", "read_*", "*_file", "delete_*", "*_*", "s*", "*e*", "*money"];
    private static readonly string[] ArgumentKeys = ["amount", "path", "/options/target", "/items/0", "tags"];
    private static readonly string[] Values = ["5", "1000", "5000", "\"5000\"", "\"a\"", "\"/tmp/x\"", "true", "null", "\"read\"", "-1", "0.5", "[1,5000]", "[\"a\",\"b\"]"];
    private static readonly string[] Patterns = ["^a", "x$", "[0-9]+", "^/tmp/", "é", "^$"];
    private static readonly decimal[] Bounds = [-1m, 0m, 5m, 999.5m, 1000m, 4999.5m];

    public static readonly Gen<RiskLevel> Risk = Gen.Elements(RiskLevel.Low, RiskLevel.Medium, RiskLevel.High, RiskLevel.Block);

    /// <summary>Risks that are mostly not Block, so that evaluation usually gets past the base risk.</summary>
    public static readonly Gen<RiskLevel> MostlyPassableRisk = Gen.Frequency(
        (3, Gen.Constant(RiskLevel.Low)), (3, Gen.Constant(RiskLevel.Medium)), (2, Gen.Constant(RiskLevel.High)), (1, Gen.Constant(RiskLevel.Block)));

    public static readonly Gen<string> Glob =
        from server in Gen.Elements(ServerPatterns)
        from tool in Gen.Elements(ToolPatterns)
        select server + "/" + tool;

    private static readonly Gen<string> Value = Gen.Elements(Values);

    private static readonly Gen<string[]> ValueList = Gen.Choose(1, 3).SelectMany(n => Gen.ArrayOf(Value, n));

    private static readonly Gen<ConditionSpec> SingleCondition = Gen.OneOf(
        Value.Select(v => new ConditionSpec(EqualTo: v)),
        ValueList.Select(v => new ConditionSpec(In: v)),
        ValueList.Select(v => new ConditionSpec(NotIn: v)),
        Gen.Elements(Patterns).Select(p => new ConditionSpec(Pattern: p)),
        from a in Gen.Elements(Bounds)
        from b in Gen.Elements(Bounds)
        from which in Gen.Choose(0, 2)
        select which switch
        {
            0 => new ConditionSpec(Min: Math.Min(a, b)),
            1 => new ConditionSpec(Max: Math.Max(a, b)),
            _ => new ConditionSpec(Min: Math.Min(a, b), Max: Math.Max(a, b)),
        },
        from a in Gen.Choose(0, 6)
        from b in Gen.Choose(0, 6)
        from which in Gen.Choose(0, 2)
        select which switch
        {
            0 => new ConditionSpec(MinLength: Math.Min(a, b)),
            1 => new ConditionSpec(MaxLength: Math.Max(a, b)),
            _ => new ConditionSpec(MinLength: Math.Min(a, b), MaxLength: Math.Max(a, b)),
        },
        Gen.Constant(new ConditionSpec(Required: true)));

    public static readonly Gen<ConditionSpec> Condition = Gen.Frequency(
        (3, SingleCondition),
        (1, from a in SingleCondition from b in SingleCondition select a.Merge(b)));

    private static Gen<(string Key, ConditionSpec Condition)[]> Conditions(int max) =>
        from keys in Gen.SubListOf(ArgumentKeys)
        from count in Gen.Choose(0, max)
        from conditions in Gen.ArrayOf(Condition, Math.Min(count, keys.Count))
        select keys.Take(conditions.Length).Zip(conditions).ToArray();

    public static readonly Gen<ToolSpec> Tool =
        from match in Glob
        from risk in MostlyPassableRisk
        from onViolation in Gen.Frequency((3, Gen.Constant(RiskLevel.Block)), (2, Risk))
        from arguments in Gen.Frequency((2, Gen.Constant(Array.Empty<(string, ConditionSpec)>())), (1, Conditions(2)))
        select new ToolSpec(match, risk, onViolation, arguments);

    /// <summary>A declarative rule; the id is made unique by the caller's index but its sort position is random.</summary>
    public static Gen<RuleSpec> Rule(string suffix) =>
        from prefix in Gen.Elements("a", "k", "m", "t", "z")
        from match in Gen.Frequency((1, Gen.Constant("*/*")), (3, Glob))
        from risk in Risk
        from when in Conditions(2)
        select new RuleSpec(prefix + "-" + suffix, match, risk, when);

    public static Gen<CustomRuleSpec> CustomRule(string suffix) =>
        from prefix in Gen.Elements("a", "k", "m", "t", "z")
        from kind in Gen.Elements("toolContains", "server", "argument", "unknownTool", "always")
        from operand in kind switch
        {
            "toolContains" => Gen.Elements("file", "send", "_", "x"),
            "server" => Gen.Elements(ServerNames),
            "argument" => Gen.Elements("amount", "path", "secret"),
            _ => Gen.Constant(""),
        }
        from risk in Risk
        select new CustomRuleSpec(prefix + "-" + suffix, kind, operand, risk);

    private static Gen<T[]> Indexed<T>(int min, int max, Func<int, Gen<T>> item) =>
        Gen.Choose(min, max).SelectMany(n => Gen.CollectToArray(Enumerable.Range(0, n).Select(item)));

    public static readonly Gen<PolicySpec> Policy =
        from defaultRisk in MostlyPassableRisk
        from unknownTool in Risk
        from servers in Gen.SubListOf(ServerNames)
        from trust in Gen.ArrayOf(Gen.Elements(true, false), ServerNames.Length)
        from tools in Indexed(0, 40, _ => Tool)
        from rules in Indexed(0, 8, i => Rule("rule" + i))
        from customs in Indexed(0, 3, i => CustomRule("custom" + i))
        select new PolicySpec(defaultRisk, unknownTool, servers.Select((s, i) => (s, trust[i])).ToArray(), tools, rules, customs);

    private static readonly Gen<bool?> Hint = Gen.Elements<bool?>(null, true, false);

    private static readonly Gen<string> ArgumentValue = Gen.Elements(
        "1", "999.5", "1000", "5000", "\"5000\"", "\"\\u0035000\"", "\"a\"", "\"/tmp/x\"", "\"/etc/passwd\"", "\"ééé\"", "\"x\"",
        "true", "null", "-1", "[]", "[1,5000]", "[\"a\",\"b\"]", "{\"target\":\"/tmp/y\"}");

    private static readonly Gen<string> Arguments =
        from keys in Gen.SubListOf("amount", "path", "options", "items", "tags", "secret")
        from values in Gen.ArrayOf(ArgumentValue, keys.Count)
        from targetIsNested in Gen.Elements(true, false)
        select "{" + string.Join(",", keys.Select((k, i) => $"\"{k}\":{Shape(k, values[i], targetIsNested)}")) + "}";

    private static string Shape(string key, string value, bool nested) => key switch
    {
        "options" => nested ? $"{{\"target\":{value}}}" : value,
        "items" or "tags" => nested ? $"[{value},\"b\"]" : value,
        _ => value,
    };

    public static readonly Gen<CallSpec> Call =
        from server in Gen.Elements([.. ServerNames, "other"])
        from tool in Gen.Elements([.. ToolNames, "zzz"])
        from known in Gen.Frequency((4, Gen.Constant(true)), (1, Gen.Constant(false)))
        from readOnly in Hint
        from destructive in Hint
        from openWorld in Hint
        from declared in Gen.Frequency((6, Gen.Constant<RiskLevel?>(null)), (1, Risk.Select(r => (RiskLevel?)r)))
        from arguments in Arguments
        select new CallSpec(server, tool, known, new ToolHints(readOnly, destructive, null, openWorld), declared, arguments);

    public static readonly Gen<PolicyCase> Case =
        from policy in Policy
        from calls in Gen.Choose(1, 6).SelectMany(n => Gen.ArrayOf(Call, n))
        select new PolicyCase(policy, calls);
}
