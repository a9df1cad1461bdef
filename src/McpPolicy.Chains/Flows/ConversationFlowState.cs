namespace McpPolicy.Chains;

/// <summary>
/// What the flow rules remember about one conversation: the labels of the calls that ran, the progress of every chain, and
/// the fingerprints of tainted results. Its size is bounded whatever the length of the conversation.
/// </summary>
/// <remarks>
/// An <see cref="IConversationStore"/> creates and keeps one per conversation and runs the flow rules' reads and updates
/// on it one at a time (see <see cref="IConversationStore.ReadFlowAsync"/>). The rules are the only code that changes it.
/// </remarks>
public sealed class ConversationFlowState
{
    private readonly int _maxTaintedCharacters;

    /// <summary>Creates the empty state of a new conversation.</summary>
    /// <param name="maxTaintedCharacters">The most normalized result characters kept for taint; the oldest results go first. 0 keeps none.</param>
    public ConversationFlowState(int maxTaintedCharacters)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxTaintedCharacters);
        _maxTaintedCharacters = maxTaintedCharacters;
    }

    /// <summary>The number of calls that ran in the conversation.</summary>
    public long CallCount { get; private set; }

    /// <summary>Every label of the calls that ran so far.</summary>
    public FlowLabels LabelsSeen { get; private set; }

    /// <summary>The first call that ran with <see cref="FlowLabels.UntrustedSource"/>, when any.</summary>
    public FlowCall? FirstUntrustedSource { get; private set; }

    /// <summary>The first call that ran with <see cref="FlowLabels.PrivateData"/>, when any.</summary>
    public FlowCall? FirstPrivateData { get; private set; }

    /// <summary>The normalized result characters kept for taint.</summary>
    public int TaintedCharacters => Taint?.Length ?? 0;

    /// <summary>The per-chain progress, indexed like the compiled chains; null until a step matched.</summary>
    internal ChainProgress[]? Chains { get; private set; }

    /// <summary>The taint fingerprints; null until a tainted result was recorded.</summary>
    internal TaintIndex? Taint { get; private set; }

    /// <summary>Approximate bytes this state holds.</summary>
    internal long AllocatedBytes
    {
        get
        {
            long bytes = 128 + (Taint?.AllocatedBytes ?? 0);
            foreach (var chain in Chains ?? [])
            {
                bytes += chain.AllocatedBytes;
            }

            return bytes;
        }
    }

    /// <summary>The position the next call that runs will have.</summary>
    internal long NextSequence => CallCount + 1;

    /// <summary>Records a call that ran.</summary>
    internal FlowCall Record(FlowObservation observation, CompiledFlowRules rules)
    {
        var call = new FlowCall(NextSequence, observation.QualifiedName, observation.RequestId);
        CallCount++;
        var labels = observation.Labels;
        LabelsSeen |= labels;
        if ((labels & FlowLabels.UntrustedSource) != 0)
        {
            FirstUntrustedSource ??= call;
        }

        if ((labels & FlowLabels.PrivateData) != 0)
        {
            FirstPrivateData ??= call;
        }

        if (observation.StepMatches is { } matches)
        {
            var chains = Chains;
            if (chains is null || chains.Length != rules.Chains.Length)
            {
                chains = new ChainProgress[rules.Chains.Length];
                for (var i = 0; i < chains.Length; i++)
                {
                    chains[i] = new ChainProgress(rules.Chains[i].Steps.Length);
                }

                Chains = chains;
            }

            for (var i = 0; i < matches.Length; i++)
            {
                if (matches[i] != 0)
                {
                    chains[i].Advance(matches[i], call, observation.Timestamp);
                }
            }
        }

        if (observation.TaintedTexts is { Count: > 0 } texts && _maxTaintedCharacters > 0)
        {
            var taint = Taint;
            if (taint is null || taint.MinLength != rules.TaintMinLength)
            {
                taint = new TaintIndex(rules.TaintMinLength, _maxTaintedCharacters);
                Taint = taint;
            }

            foreach (var text in texts)
            {
                taint.Add(text, call);
            }
        }

        return call;
    }
}
