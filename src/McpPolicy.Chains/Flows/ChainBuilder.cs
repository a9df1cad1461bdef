namespace McpPolicy.Chains;

/// <summary>
/// Builds a <see cref="ChainPolicy"/> in C#: <c>new ChainBuilder("docs-secret-egress").Then("docs/search").Then("secrets/*")
/// .Then("http/*").WithinCalls(20).Risk(RiskLevel.Block).Build()</c>.
/// </summary>
public sealed class ChainBuilder
{
    private readonly ChainPolicy _chain;

    /// <summary>Starts a chain.</summary>
    /// <param name="id">A unique chain id, shown in decisions as <c>chain:&lt;id&gt;</c>.</param>
    public ChainBuilder(string id)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        _chain = new ChainPolicy { Id = id };
    }

    /// <summary>Adds the next step: a call whose <c>server/tool</c> name matches <paramref name="match"/>.</summary>
    /// <param name="match">A glob on <c>server/tool</c>.</param>
    /// <returns>This builder.</returns>
    public ChainBuilder Then(string match)
    {
        ArgumentException.ThrowIfNullOrEmpty(match);
        _chain.Sequence.Add(new ChainStepPolicy(match));
        return this;
    }

    /// <summary>Adds the next step: a call matching <paramref name="match"/> whose arguments meet every condition.</summary>
    /// <param name="match">A glob on <c>server/tool</c>.</param>
    /// <param name="when">Conditions keyed by argument name or JSON Pointer, as in <c>rules[].when</c>.</param>
    /// <returns>This builder.</returns>
    public ChainBuilder Then(string match, IEnumerable<KeyValuePair<string, ArgumentCondition>> when)
    {
        ArgumentException.ThrowIfNullOrEmpty(match);
        ArgumentNullException.ThrowIfNull(when);
        var step = new ChainStepPolicy(match);
        foreach (var (key, condition) in when)
        {
            step.When[key] = condition;
        }

        _chain.Sequence.Add(step);
        return this;
    }

    /// <summary>Adds the next step: a call matching <paramref name="match"/> whose argument <paramref name="argument"/> meets <paramref name="condition"/>.</summary>
    /// <param name="match">A glob on <c>server/tool</c>.</param>
    /// <param name="argument">The argument name or JSON Pointer.</param>
    /// <param name="condition">The condition.</param>
    /// <returns>This builder.</returns>
    public ChainBuilder Then(string match, string argument, ArgumentCondition condition)
        => Then(match, [new KeyValuePair<string, ArgumentCondition>(argument, condition)]);

    /// <summary>Bounds the chain, from its first step to the call completing it, to this many calls of the conversation.</summary>
    /// <param name="calls">At least the number of steps.</param>
    /// <returns>This builder.</returns>
    public ChainBuilder WithinCalls(int calls)
    {
        _chain.WithinCalls = calls;
        return this;
    }

    /// <summary>Bounds the time from the chain's first step to the call completing it.</summary>
    /// <param name="time">A positive time span.</param>
    /// <returns>This builder.</returns>
    public ChainBuilder WithinTime(TimeSpan time)
    {
        _chain.WithinTime = time;
        return this;
    }

    /// <summary>Sets the risk of the call that completes the chain (default High).</summary>
    /// <param name="risk">The risk.</param>
    /// <returns>This builder.</returns>
    public ChainBuilder Risk(RiskLevel risk)
    {
        _chain.Risk = risk;
        return this;
    }

    /// <summary>Sets the explanation shown in decisions.</summary>
    /// <param name="reason">The explanation.</param>
    /// <returns>This builder.</returns>
    public ChainBuilder Reason(string reason)
    {
        _chain.Reason = reason;
        return this;
    }

    /// <summary>The chain, validated when the policy compiles.</summary>
    /// <returns>The chain.</returns>
    public ChainPolicy Build() => _chain;
}
