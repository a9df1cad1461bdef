using McpPolicy.Engine;

namespace McpPolicy;

/// <summary>
/// A compiled set of <see cref="ArgumentCondition"/>s used as a rule condition (the <c>rules[].when</c> semantics): it holds
/// when every condition holds. For packages that add condition-bearing settings of their own, such as chain steps.
/// </summary>
public sealed class ArgumentConditionSet
{
    private readonly CompiledCondition[] _conditions;

    private ArgumentConditionSet(CompiledCondition[] conditions)
    {
        _conditions = conditions;
        Description = string.Join(", ", conditions.Select(c => c.Key + ": " + c.Description));
    }

    /// <summary>The set with no conditions: it holds for every call.</summary>
    public static ArgumentConditionSet Always { get; } = new([]);

    /// <summary>The number of conditions.</summary>
    public int Count => _conditions.Length;

    /// <summary>A readable summary, such as <c>amount: at least 1000</c>.</summary>
    public string Description { get; }

    /// <summary>Compiles conditions keyed by argument name or JSON Pointer.</summary>
    /// <param name="conditions">The conditions.</param>
    /// <param name="path">The JSON path of the conditions in the policy, for errors (such as <c>$.chains[0].sequence[1].when</c>).</param>
    /// <param name="source">Where they were defined, for errors; null for code.</param>
    /// <param name="constraintKinds">The typed constraint kinds available (<c>path</c>, <c>url</c>, ...), when any.</param>
    /// <returns>The compiled set.</returns>
    /// <exception cref="PolicyValidationException">A condition is invalid; every problem is listed.</exception>
    public static ArgumentConditionSet Compile(IEnumerable<KeyValuePair<string, ArgumentCondition>> conditions, string path, string? source = null, IEnumerable<IArgumentConstraintKind>? constraintKinds = null)
    {
        ArgumentNullException.ThrowIfNull(conditions);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var errors = new List<PolicyError>();
        var kinds = new Dictionary<string, IArgumentConstraintKind>(StringComparer.Ordinal);
        foreach (var kind in constraintKinds ?? [])
        {
            kinds.TryAdd(kind.Name, kind);
        }

        var compiled = new List<CompiledCondition>();
        foreach (var (key, condition) in conditions.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            if (condition is null)
            {
                errors.Add(new PolicyError(path + "." + key, source, "the condition is null"));
                continue;
            }

            if (CompiledCondition.Compile(key, condition, path + "." + key, errors, source, kinds) is { } c)
            {
                compiled.Add(c);
            }
        }

        if (errors.Count > 0)
        {
            throw new PolicyValidationException(errors);
        }

        return compiled.Count == 0 ? Always : new ArgumentConditionSet(compiled.ToArray());
    }

    /// <summary>True when every condition holds for the arguments (an absent argument never holds; an undecidable value holds).</summary>
    /// <param name="arguments">The call's arguments.</param>
    /// <returns>Whether the set holds.</returns>
    public bool HoldsFor(ToolArguments arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        foreach (var condition in _conditions)
        {
            if (!condition.HoldsFor(arguments))
            {
                return false;
            }
        }

        return true;
    }
}
