namespace McpPolicy.Chains;

/// <summary>A chain, compiled: its steps' patterns and conditions, bounds and reason.</summary>
internal sealed class CompiledChain
{
    public CompiledChain(string id, CompiledChainStep[] steps, int? withinCalls, TimeSpan? withinTime, RiskLevel risk, string? reason)
    {
        Id = id;
        ReasonId = "chain:" + id;
        Steps = steps;
        WithinCalls = withinCalls;
        WithinTime = withinTime;
        Risk = risk;
        Reason = reason ?? $"chain '{id}' completed";
    }

    public string Id { get; }

    public string ReasonId { get; }

    public CompiledChainStep[] Steps { get; }

    public int? WithinCalls { get; }

    public TimeSpan? WithinTime { get; }

    public RiskLevel Risk { get; }

    public string Reason { get; }

    /// <summary>The bit of every step <paramref name="context"/> matches.</summary>
    public ulong Match(ToolInvocationContext context)
    {
        var mask = 0UL;
        for (var i = 0; i < Steps.Length; i++)
        {
            if (Steps[i].Matches(context))
            {
                mask |= 1UL << i;
            }
        }

        return mask;
    }

    /// <summary>True when the chain's earlier steps, as recorded, and the current call fit the bounds.</summary>
    public bool IsWithinBounds(ChainProgress.Prefix prefix, long currentSequence, DateTimeOffset now)
    {
        if (WithinCalls is { } calls && currentSequence - prefix.Start + 1 > calls)
        {
            return false;
        }

        return WithinTime is not { } time || now - prefix.StartTime <= time;
    }
}

/// <summary>One chain step, compiled.</summary>
internal sealed class CompiledChainStep
{
    public CompiledChainStep(ToolPattern pattern, ArgumentConditionSet when)
    {
        Pattern = pattern;
        When = when;
    }

    public ToolPattern Pattern { get; }

    public ArgumentConditionSet When { get; }

    public bool Matches(ToolInvocationContext context) => Pattern.Matches(context.ServerId, context.ToolName) && When.HoldsFor(context.Arguments);

    public override string ToString() => When.Count == 0 ? Pattern.Text : $"{Pattern.Text} [{When.Description}]";
}
