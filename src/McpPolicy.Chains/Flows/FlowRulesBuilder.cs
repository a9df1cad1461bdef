namespace McpPolicy.Chains;

/// <summary>Adds flow labels, chains and flow settings to the policy from C#, next to those of configuration and files.</summary>
public sealed class FlowRulesBuilder
{
    private readonly McpPolicyBuilder _policy;

    internal FlowRulesBuilder(McpPolicyBuilder policy)
    {
        _policy = policy;
    }

    /// <summary>Gives the tools matching <paramref name="match"/> these labels, as a <c>labels</c> entry would.</summary>
    /// <param name="match">A glob on <c>server/tool</c>.</param>
    /// <param name="labels">The labels; <see cref="FlowLabels.None"/> says the tools have none.</param>
    /// <returns>This builder.</returns>
    public FlowRulesBuilder Label(string match, FlowLabels labels)
    {
        ArgumentException.ThrowIfNullOrEmpty(match);
        _policy.Configure(o => o.Labels[match] = labels);
        return this;
    }

    /// <summary>Adds a chain.</summary>
    /// <param name="id">A unique chain id.</param>
    /// <param name="build">Adds the steps and bounds.</param>
    /// <returns>This builder.</returns>
    public FlowRulesBuilder Chain(string id, Action<ChainBuilder> build)
    {
        ArgumentNullException.ThrowIfNull(build);
        var chain = new ChainBuilder(id);
        build(chain);
        var policy = chain.Build();
        _policy.Configure(o => o.Chains.Add(policy));
        return this;
    }

    /// <summary>Adds a chain built elsewhere.</summary>
    /// <param name="chain">The chain.</param>
    /// <returns>This builder.</returns>
    public FlowRulesBuilder Chain(ChainPolicy chain)
    {
        ArgumentNullException.ThrowIfNull(chain);
        _policy.Configure(o => o.Chains.Add(chain));
        return this;
    }

    /// <summary>Sets the risk of an external-sink call after untrusted content and private data (default High).</summary>
    /// <param name="risk">The risk.</param>
    /// <returns>This builder.</returns>
    public FlowRulesBuilder UntrustedThenPrivateThenSink(RiskLevel risk)
    {
        _policy.Configure(o => o.Flows.UntrustedThenPrivateThenSink = risk);
        return this;
    }

    /// <summary>Sets the shortest fragment, in normalized characters, that counts as taken from a tainted result (default 12).</summary>
    /// <param name="minLength">Between <see cref="TaintPolicy.MinLengthLowest"/> and <see cref="TaintPolicy.MinLengthHighest"/>.</param>
    /// <returns>This builder.</returns>
    public FlowRulesBuilder TaintMinLength(int minLength)
    {
        _policy.Configure(o => o.Flows.Taint.MinLength = minLength);
        return this;
    }

    /// <summary>Sets the risk of a tainted argument of the tools matching <paramref name="match"/>.</summary>
    /// <param name="match">A glob on <c>server/tool</c>.</param>
    /// <param name="argument">The argument name or JSON Pointer.</param>
    /// <param name="risk">The risk.</param>
    /// <returns>This builder.</returns>
    public FlowRulesBuilder TaintedArgument(string match, string argument, RiskLevel risk)
    {
        ArgumentException.ThrowIfNullOrEmpty(match);
        ArgumentException.ThrowIfNullOrEmpty(argument);
        _policy.Configure(o =>
        {
            if (!o.Flows.Taint.Arguments.TryGetValue(match, out var arguments))
            {
                arguments = new Dictionary<string, RiskLevel>(StringComparer.Ordinal);
                o.Flows.Taint.Arguments[match] = arguments;
            }

            arguments[argument] = risk;
        });
        return this;
    }
}
