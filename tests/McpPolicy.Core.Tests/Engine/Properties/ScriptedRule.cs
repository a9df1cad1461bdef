namespace McpPolicy.Core.Tests.Engine.Properties;

/// <summary>A deterministic custom rule driven by a generated script.</summary>
public sealed class ScriptedRule : IPolicyRule
{
    private readonly string _kind;
    private readonly string _operand;
    private readonly RuleVerdict _verdict;

    public ScriptedRule(string id, string kind, string operand, RiskLevel risk)
    {
        Id = id;
        _kind = kind;
        _operand = operand;
        _verdict = RuleVerdict.Raise(risk, $"{kind} {operand}");
    }

    public string Id { get; }

    public RuleVerdict Evaluate(ToolInvocationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var holds = _kind switch
        {
            "toolContains" => context.ToolName.Contains(_operand, StringComparison.Ordinal),
            "server" => context.ServerId == _operand,
            "argument" => context.Arguments.TryGetValue(_operand, out _),
            "unknownTool" => context.Tool is null,
            _ => true,
        };
        return holds ? _verdict : RuleVerdict.NoOpinion;
    }
}
