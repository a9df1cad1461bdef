namespace McpPolicy;

/// <summary>One step of a <see cref="ChainPolicy"/>: a tool pattern and, optionally, conditions on the call's arguments.</summary>
public sealed class ChainStepPolicy
{
    /// <summary>Creates an empty step (for binders).</summary>
    public ChainStepPolicy()
    {
    }

    /// <summary>Creates a step.</summary>
    /// <param name="match">A glob on <c>server/tool</c>.</param>
    public ChainStepPolicy(string match)
    {
        Match = match;
    }

    /// <summary>A glob on <c>server/tool</c>, such as <c>secrets/*</c>.</summary>
    public string Match { get; set; } = "";

    /// <summary>Conditions on the call's arguments (the <c>rules[].when</c> vocabulary); the step matches when all hold. Empty: any arguments.</summary>
    public IDictionary<string, ArgumentCondition> When { get; } = new Dictionary<string, ArgumentCondition>(StringComparer.Ordinal);
}
