namespace McpPolicy.Engine;

/// <summary>Everything the compiled policy says about one <c>server/tool</c> name, resolved once and reused for every call to it.</summary>
internal sealed class ToolPlan
{
    public const int UnknownSlot = 8;

    private readonly PolicyDecision?[] _plain = new PolicyDecision?[9];

    public ToolPlan(string server, string tool, bool trusted, CompiledToolEntry? baseEntry, CompiledToolEntry[] constrained, CompiledRule[] rules, ToolSchemaOverlay[] schemaOverlays)
    {
        Server = server;
        Tool = tool;
        Trusted = trusted;
        SchemaOverlays = schemaOverlays;
        BaseEntry = baseEntry;
        Constrained = constrained;
        Rules = rules;

        // Every condition on the same argument key shares one per-decision slot, so a call's argument is looked up
        // (and its number or length derived) once however many entries and rules test it.
        var slots = new Dictionary<string, int>(StringComparer.Ordinal);
        ConstraintSlots = constrained.Select(e => e.Constraints.Select(c => SlotOf(slots, c.Key)).ToArray()).ToArray();
        RuleSlots = rules.Select(r => r.Conditions.Select(c => SlotOf(slots, c.Key)).ToArray()).ToArray();
        UsesArguments = constrained.Length > 0 || rules.Length > 0;
        KeyCount = slots.Count;
    }

    /// <summary>The server id this plan was resolved for.</summary>
    public string Server { get; }

    /// <summary>The tool name this plan was resolved for.</summary>
    public string Tool { get; }

    /// <summary>How many slots of <see cref="ArgumentSlots"/> the conditions use (at most its capacity).</summary>
    public int KeyCount { get; }

    public bool Trusted { get; }

    /// <summary>The most specific matching tools entry, or null.</summary>
    public CompiledToolEntry? BaseEntry { get; }

    /// <summary>Every matching tools entry that has argument constraints, in policy order.</summary>
    public CompiledToolEntry[] Constrained { get; }

    /// <summary>The schema overlay of every matching tools entry that has one, in policy order (read by the schema filter, never by Decide).</summary>
    public ToolSchemaOverlay[] SchemaOverlays { get; }

    /// <summary>Every rule that applies to this name, in rule-id order.</summary>
    public CompiledRule[] Rules { get; }

    /// <summary>Per <see cref="Constrained"/> entry, per constraint: its slot in <see cref="ArgumentSlots"/>, or -1.</summary>
    public int[][] ConstraintSlots { get; }

    /// <summary>Per rule, per declarative condition: its slot in <see cref="ArgumentSlots"/>, or -1.</summary>
    public int[][] RuleSlots { get; }

    /// <summary>True when some entry or rule has to look at the call (argument constraints or rules).</summary>
    public bool UsesArguments { get; }

    /// <summary>The decision for a call nothing raised, cached per base-reason slot so the common path allocates nothing.</summary>
    public PolicyDecision PlainDecision(int slot, PolicyReason baseReason, string version)
        => _plain[slot] ??= new PolicyDecision(baseReason.Risk, [baseReason], version);

    private static int SlotOf(Dictionary<string, int> slots, string key)
    {
        if (slots.TryGetValue(key, out var slot))
        {
            return slot;
        }

        if (slots.Count >= ArgumentSlots.Capacity)
        {
            return -1;
        }

        slot = slots.Count;
        slots[key] = slot;
        return slot;
    }
}
