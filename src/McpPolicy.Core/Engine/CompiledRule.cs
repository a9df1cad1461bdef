namespace McpPolicy.Engine;

/// <summary>A rule in the compiled policy: a declarative <c>rules</c> entry or a custom <see cref="IPolicyRule"/>.</summary>
internal abstract class CompiledRule
{
    protected CompiledRule(string id, Glob? glob)
    {
        Id = id;
        Glob = glob;
    }

    public string Id { get; }

    /// <summary>The calls the rule applies to; null for all.</summary>
    public Glob? Glob { get; }

    /// <summary>The declarative conditions (all must hold); empty for a custom rule.</summary>
    public virtual CompiledCondition[] Conditions => [];

    /// <summary>Evaluates the rule; returns the reason when it fires, else null. May throw (the evaluator blocks).</summary>
    public abstract PolicyReason? Evaluate(ToolInvocationContext context);

    /// <summary>
    /// As <see cref="Evaluate(ToolInvocationContext)"/>, sharing argument facts with the decision's other conditions:
    /// <paramref name="slots"/> gives each of <see cref="Conditions"/> its slot in <paramref name="cache"/>.
    /// </summary>
    public virtual PolicyReason? Evaluate(ToolInvocationContext context, Span<ValueFacts> cache, int[] slots) => Evaluate(context);
}

/// <summary>A declarative rule: fires when all its conditions hold.</summary>
internal sealed class DeclarativeRule : CompiledRule
{
    private readonly CompiledCondition[] _conditions;
    private readonly PolicyReason _reason;

    public DeclarativeRule(string id, Glob glob, CompiledCondition[] conditions, RiskLevel risk, string? reason)
        : base(id, glob)
    {
        _conditions = conditions;
        _reason = new PolicyReason(id, reason ?? $"rule '{id}' holds for this call", risk);
    }

    public override CompiledCondition[] Conditions => _conditions;

    public override PolicyReason? Evaluate(ToolInvocationContext context)
    {
        var arguments = context.Arguments;
        foreach (var condition in _conditions)
        {
            if (!condition.HoldsFor(arguments))
            {
                return null;
            }
        }

        return _reason;
    }

    public override PolicyReason? Evaluate(ToolInvocationContext context, Span<ValueFacts> cache, int[] slots)
    {
        var arguments = context.Arguments;
        var conditions = _conditions;
        for (var i = 0; i < conditions.Length; i++)
        {
            if (!conditions[i].HoldsFor(arguments, cache, slots[i]))
            {
                return null;
            }
        }

        return _reason;
    }
}

/// <summary>A custom C# rule.</summary>
internal sealed class CustomRule : CompiledRule
{
    private readonly IPolicyRule _rule;
    private PolicyReason? _last;

    public CustomRule(IPolicyRule rule)
        : base(rule.Id, null)
    {
        _rule = rule;
    }

    public Type RuleType => _rule.GetType();

    public override PolicyReason? Evaluate(ToolInvocationContext context)
    {
        var verdict = _rule.Evaluate(context);
        if (!verdict.HasOpinion)
        {
            return null;
        }

        var reason = verdict.Reason ?? $"rule '{Id}' applies to this call";

        // Rules usually return constant reasons: reuse the last reason object instead of allocating one per call.
        var last = _last;
        if (last is not null && last.Risk == verdict.Risk && ReferenceEquals(last.Message, reason))
        {
            return last;
        }

        last = new PolicyReason(Id, reason, verdict.Risk);
        _last = last;
        return last;
    }
}
