namespace McpPolicy.Engine;

/// <summary>Everything the compiled policy says about one <c>server/tool</c> name, resolved once and reused for every call to it.</summary>
internal sealed class ToolPlan
{
    public const int UnknownSlot = 8;

    private readonly PolicyDecision?[] _plain = new PolicyDecision?[9];

    public ToolPlan(bool trusted, CompiledToolEntry? baseEntry, CompiledToolEntry[] constrained, CompiledRule[] rules)
    {
        Trusted = trusted;
        BaseEntry = baseEntry;
        Constrained = constrained;
        Rules = rules;
    }

    public bool Trusted { get; }

    /// <summary>The most specific matching tools entry, or null.</summary>
    public CompiledToolEntry? BaseEntry { get; }

    /// <summary>Every matching tools entry that has argument constraints, in policy order.</summary>
    public CompiledToolEntry[] Constrained { get; }

    /// <summary>Every rule that applies to this name, in rule-id order.</summary>
    public CompiledRule[] Rules { get; }

    /// <summary>The decision for a call nothing raised, cached per base-reason slot so the common path allocates nothing.</summary>
    public PolicyDecision PlainDecision(int slot, PolicyReason baseReason, string version)
        => _plain[slot] ??= new PolicyDecision(baseReason.Risk, [baseReason], version);
}
