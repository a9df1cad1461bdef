using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Chains;

/// <summary>The <c>labels</c>, <c>chains</c> and <c>flows</c> parts of a policy, compiled; immutable and shared by all calls.</summary>
internal sealed class CompiledFlowRules
{
    /// <summary>The most steps a chain may have.</summary>
    public const int MaxSteps = 64;

    private const int MaxCachedTools = 4096;

    private readonly (ToolPattern Pattern, FlowLabels Labels)[] _labels;
    private readonly HashSet<string> _trustedServers;
    private readonly (ToolPattern Pattern, (string Key, RiskLevel Risk)[] Arguments)[] _taintArguments;
    private readonly ConcurrentDictionary<string, ToolPlan> _plans = new(StringComparer.Ordinal);

    [ThreadStatic]
    private static List<PathSegment>? t_path;

    private CompiledFlowRules(
        (ToolPattern, FlowLabels)[] labels,
        HashSet<string> trustedServers,
        CompiledChain[] chains,
        RiskLevel trifectaRisk,
        int taintMinLength,
        RiskLevel taintRisk,
        (ToolPattern, (string, RiskLevel)[])[] taintArguments)
    {
        _labels = labels;
        _trustedServers = trustedServers;
        Chains = chains;
        TrifectaRisk = trifectaRisk;
        TaintMinLength = taintMinLength;
        TaintRisk = taintRisk;
        _taintArguments = taintArguments;
        TrifectaReason = "flow:untrustedThenPrivateThenSink";
        UsesTime = Array.Exists(chains, c => c.WithinTime is not null);
    }

    public CompiledChain[] Chains { get; }

    /// <summary>True when some chain has a time bound: only then does <see cref="Check"/> read the time it is given.</summary>
    public bool UsesTime { get; }

    public RiskLevel TrifectaRisk { get; }

    public string TrifectaReason { get; }

    public int TaintMinLength { get; }

    public RiskLevel TaintRisk { get; }

    /// <summary>Compiles the flow parts of <paramref name="options"/>, or throws with every problem found.</summary>
    public static CompiledFlowRules Compile(McpPolicyOptions options, IEnumerable<IArgumentConstraintKind>? constraintKinds = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var kinds = constraintKinds?.ToArray() ?? [];
        var errors = new List<PolicyError>();

        var labels = new List<(ToolPattern, FlowLabels)>();
        foreach (var (match, value) in options.Labels.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            var path = "$.labels." + match;
            if ((value & ~(FlowLabels.UntrustedSource | FlowLabels.PrivateData | FlowLabels.ExternalSink | FlowLabels.Destructive)) != 0)
            {
                errors.Add(new PolicyError(path, null, $"{(int)value} is not a combination of flow labels"));
            }

            if (Parse(errors, path, match, null) is { } pattern)
            {
                labels.Add((pattern, value));
            }
        }

        var trusted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (id, server) in options.Servers)
        {
            if (server is { Trusted: true })
            {
                trusted.Add(id);
            }
        }

        var chains = new List<CompiledChain>();
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Chains.Count; i++)
        {
            var path = string.Create(CultureInfo.InvariantCulture, $"$.chains[{i}]");
            var chain = options.Chains[i];
            if (chain is null)
            {
                errors.Add(new PolicyError(path, null, "the chain is null"));
                continue;
            }

            var source = chain.Source;
            if (string.IsNullOrWhiteSpace(chain.Id))
            {
                errors.Add(new PolicyError(path + ".id", source, "a chain needs a non-empty id"));
            }
            else if (!ids.TryAdd(chain.Id, path))
            {
                errors.Add(new PolicyError(path + ".id", source, $"the chain id '{chain.Id}' is already used by {ids[chain.Id]}; chain ids must be unique"));
            }

            CheckRisk(errors, path + ".risk", chain.Risk, source);
            if (chain.Sequence.Count is < 2 or > MaxSteps)
            {
                errors.Add(new PolicyError(path + ".sequence", source, $"a chain needs between 2 and {MaxSteps} steps, found {chain.Sequence.Count}"));
            }

            if (chain.WithinCalls is < 1)
            {
                errors.Add(new PolicyError(path + ".within.calls", source, $"'calls' must be at least 1, found {chain.WithinCalls}"));
            }
            else if (chain.WithinCalls is { } calls && calls < chain.Sequence.Count)
            {
                errors.Add(new PolicyError(path + ".within.calls", source, $"'calls' is {calls}, fewer than the chain's {chain.Sequence.Count} steps, so the chain can never complete"));
            }

            if (chain.WithinTime is { } time && time <= TimeSpan.Zero)
            {
                errors.Add(new PolicyError(path + ".within.time", source, "'time' must be a positive time span"));
            }

            var steps = new List<CompiledChainStep>();
            for (var s = 0; s < chain.Sequence.Count; s++)
            {
                var stepPath = string.Create(CultureInfo.InvariantCulture, $"{path}.sequence[{s}]");
                var step = chain.Sequence[s];
                if (step is null)
                {
                    errors.Add(new PolicyError(stepPath, source, "the step is null"));
                    continue;
                }

                var pattern = Parse(errors, step.When.Count == 0 ? stepPath : stepPath + ".match", step.Match, source);
                ArgumentConditionSet? when = null;
                try
                {
                    when = ArgumentConditionSet.Compile(step.When, stepPath + ".when", source, kinds);
                }
                catch (PolicyValidationException ex)
                {
                    errors.AddRange(ex.Errors);
                }

                if (pattern is not null && when is not null)
                {
                    steps.Add(new CompiledChainStep(pattern, when));
                }
            }

            if (steps.Count == chain.Sequence.Count && steps.Count is >= 2 and <= MaxSteps)
            {
                chains.Add(new CompiledChain(chain.Id, steps.ToArray(), chain.WithinCalls, chain.WithinTime, chain.Risk, chain.Reason));
            }
        }

        var flows = options.Flows;
        CheckRisk(errors, "$.flows.untrustedThenPrivateThenSink", flows.UntrustedThenPrivateThenSink, null);
        CheckRisk(errors, "$.flows.taint.risk", flows.Taint.Risk, null);
        if (flows.Taint.MinLength is < TaintPolicy.MinLengthLowest or > TaintPolicy.MinLengthHighest)
        {
            errors.Add(new PolicyError("$.flows.taint.minLength", null, $"'minLength' must be between {TaintPolicy.MinLengthLowest} and {TaintPolicy.MinLengthHighest}, found {flows.Taint.MinLength}"));
        }

        var taintArguments = new List<(ToolPattern, (string, RiskLevel)[])>();
        foreach (var (match, arguments) in flows.Taint.Arguments.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            var path = "$.flows.taint.arguments." + match;
            var pattern = Parse(errors, path, match, null);
            var list = new List<(string, RiskLevel)>();
            foreach (var (key, risk) in arguments ?? new Dictionary<string, RiskLevel>())
            {
                CheckRisk(errors, path + "." + key, risk, null);
                if (string.IsNullOrEmpty(key) || (key[0] == '/' && key.Length == 1))
                {
                    errors.Add(new PolicyError(path + "." + key, null, "name an argument, or a nested value with a JSON Pointer such as \"/options/target\""));
                }

                list.Add((key, risk));
            }

            if (pattern is not null)
            {
                taintArguments.Add((pattern, list.ToArray()));
            }
        }

        if (errors.Count > 0)
        {
            throw new PolicyValidationException(errors);
        }

        return new CompiledFlowRules(labels.ToArray(), trusted, chains.ToArray(), flows.UntrustedThenPrivateThenSink, flows.Taint.MinLength, flows.Taint.Risk, taintArguments.ToArray());
    }

    /// <summary>
    /// The flow labels of a tool: the union of every matching <c>labels</c> entry; else its <see cref="FlowLabelAttribute"/>;
    /// else derived from its annotation hints (open-world: untrusted source and external sink; destructive). Hints of a
    /// server the policy does not trust can only add labels. An unknown tool gets the worst case.
    /// </summary>
    public FlowLabels LabelsOf(string serverId, string toolName, ToolDescriptor? tool)
    {
        var matched = false;
        var labels = FlowLabels.None;
        foreach (var (pattern, value) in _labels)
        {
            if (pattern.Matches(serverId, toolName))
            {
                matched = true;
                labels |= value;
            }
        }

        if (matched)
        {
            return labels;
        }

        if (tool is null)
        {
            return FlowLabels.UntrustedSource | FlowLabels.ExternalSink | FlowLabels.Destructive;
        }

        if (ToolPolicyMetadata.FindLast<FlowLabelAttribute>(tool.Metadata) is { } attribute)
        {
            return attribute.Labels;
        }

        // A server the policy does not trust cannot talk its tools out of labels: only a trusted server's hints lower them.
        var hints = tool.Hints;
        var trusted = _trustedServers.Contains(serverId);
        var openWorld = !trusted || hints.IsOpenWorld;
        var destructive = !trusted || hints.IsDestructive;
        return (openWorld ? FlowLabels.UntrustedSource | FlowLabels.ExternalSink : FlowLabels.None) | (destructive ? FlowLabels.Destructive : FlowLabels.None);
    }

    /// <summary>The labels and taint settings of the call's tool, resolved once per tool and cached.</summary>
    public ToolPlan PlanFor(ToolInvocationContext context)
    {
        var name = context.QualifiedName;
        if (_plans.TryGetValue(name, out var plan) && ReferenceEquals(plan.Tool, context.Tool))
        {
            return plan;
        }

        plan = CreatePlan(context.ServerId, context.ToolName, context.Tool);
        if (_plans.Count < MaxCachedTools || _plans.ContainsKey(name))
        {
            _plans[name] = plan;
        }

        return plan;
    }

    private ToolPlan CreatePlan(string serverId, string toolName, ToolDescriptor? tool)
    {
        var arguments = new List<(string, RiskLevel)>();
        foreach (var (pattern, list) in _taintArguments)
        {
            if (pattern.Matches(serverId, toolName))
            {
                arguments.AddRange(list);
            }
        }

        var steps = false;
        foreach (var chain in Chains)
        {
            foreach (var step in chain.Steps)
            {
                steps |= step.Pattern.Matches(serverId, toolName);
            }
        }

        return new ToolPlan(tool, LabelsOf(serverId, toolName, tool), steps, arguments.ToArray());
    }

    /// <summary>Per chain, the bits of the steps the call matches; null when it matches none.</summary>
    public ulong[]? MatchSteps(ToolInvocationContext context, ToolPlan plan)
    {
        if (!plan.HasChainSteps)
        {
            return null;
        }

        // Most calls to a tool match the same steps (conditions on arguments aside): the plan hands out one shared,
        // never-modified array for the masks it saw last instead of a new one per call.
        var masks = Chains.Length <= 32 ? stackalloc ulong[Chains.Length] : new ulong[Chains.Length];
        var any = false;
        for (var i = 0; i < Chains.Length; i++)
        {
            masks[i] = Chains[i].Match(context);
            any |= masks[i] != 0;
        }

        return any ? plan.ShareSteps(masks) : null;
    }

    /// <summary>
    /// The reasons the flow rules add for a call about to run, given its conversation's state; null when none. A lone taint
    /// reason comes back as the plan's cached one-element array (never modified), so a repeated call can reuse its decision.
    /// <paramref name="now"/> is read only for chains with a time bound (see <see cref="UsesTime"/>), so callers may skip the clock otherwise.
    /// </summary>
    public IReadOnlyList<PolicyReason>? Check(ConversationFlowState? state, ToolInvocationContext context, ToolPlan plan, ulong[]? steps, DateTimeOffset now)
    {
        if (state is null)
        {
            return null;
        }

        List<PolicyReason>? reasons = null;
        if ((plan.Labels & FlowLabels.ExternalSink) != 0
            && (state.LabelsSeen & (FlowLabels.UntrustedSource | FlowLabels.PrivateData)) == (FlowLabels.UntrustedSource | FlowLabels.PrivateData))
        {
            (reasons ??= []).Add(new PolicyReason(
                TrifectaReason,
                $"this tool can send data out, and the conversation has already read untrusted content ({state.FirstUntrustedSource}) and private data ({state.FirstPrivateData})",
                TrifectaRisk));
        }

        if (steps is not null && state.Chains is { } progress && progress.Length == Chains.Length)
        {
            for (var i = 0; i < Chains.Length; i++)
            {
                var chain = Chains[i];
                if ((steps[i] & (1UL << (chain.Steps.Length - 1))) != 0
                    && progress[i].Complete is { } prefix
                    && chain.IsWithinBounds(prefix, state.NextSequence, now))
                {
                    (reasons ??= []).Add(new PolicyReason(chain.ReasonId, DescribeChain(chain, prefix), chain.Risk));
                }
            }
        }

        if (state.Taint is { WindowCount: > 0 } taint)
        {
            PolicyReason[]? alone = null;
            CheckTaint(taint, context, plan, ref reasons, ref alone);
            if (alone is not null)
            {
                return alone;
            }
        }

        return reasons;
    }

    private static string DescribeChain(CompiledChain chain, ChainProgress.Prefix prefix)
    {
        var parts = new string[chain.Steps.Length];
        for (var i = 0; i < prefix.Calls.Length; i++)
        {
            parts[i] = $"{chain.Steps[i]} ← {prefix.Calls[i]}";
        }

        parts[^1] = $"{chain.Steps[^1]} ← this call";
        return chain.Reason + ": " + string.Join(" → ", parts);
    }

    private void CheckTaint(TaintIndex taint, ToolInvocationContext context, ToolPlan plan, ref List<PolicyReason>? reasons, ref PolicyReason[]? alone)
    {
        // The arguments are read in place (no enumerator object, no property-name strings): a name is only needed for a hit.
        var arguments = context.Arguments;
        if (arguments.Dictionary is { } dictionary)
        {
            if (dictionary is Dictionary<string, JsonElement> concrete)
            {
                foreach (var (name, value) in concrete)
                {
                    CheckTaint(taint, plan, name, default, value, ref reasons, ref alone);
                }
            }
            else
            {
                foreach (var (name, value) in dictionary)
                {
                    CheckTaint(taint, plan, name, default, value, ref reasons, ref alone);
                }
            }
        }
        else if (arguments.JsonObject.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in arguments.JsonObject.EnumerateObject())
            {
                CheckTaint(taint, plan, null, property, property.Value, ref reasons, ref alone);
            }
        }
    }

    /// <summary>Scans one top-level argument, named by <paramref name="name"/> or else by <paramref name="property"/>, and adds its taint reason, if any.</summary>
    [SkipLocalsInit] // The message's stack buffer is written before it is read.
    private void CheckTaint(TaintIndex taint, ToolPlan plan, string? name, JsonProperty property, JsonElement value, ref List<PolicyReason>? reasons, ref PolicyReason[]? alone)
    {
        var path = t_path ??= new List<PathSegment>(8);
        path.Clear();
        var scan = new TaintScan(taint);
        TaintText.WalkNormalized(value, taint.MinLength, path, ref scan, static (ReadOnlySpan<char> normalized, List<PathSegment> at, ref TaintScan s) =>
        {
            if (s.Index.Find(normalized) is { } source)
            {
                s.Source = source;
                s.Nested = at.Count == 0 ? null : TaintText.PointerSuffix(at);
                return true;
            }

            return false;
        });

        if (scan.Source is not { } from)
        {
            return;
        }

        var entry = plan.FindTaintReason(from, name, property, scan.Nested);
        if (entry is null)
        {
            name ??= property.Name;
            var pointer = scan.Nested is null ? null : string.Concat(TaintText.Pointer(name), scan.Nested);
            // Built in a stack buffer (no pooled array for a message this short), then copied once into the string.
            var message = new DefaultInterpolatedStringHandler(48, 2, CultureInfo.InvariantCulture, stackalloc char[256]);
            message.AppendLiteral("argument '");
            message.AppendFormatted(pointer ?? name);
            message.AppendLiteral("' contains text from the result of ");
            from.AppendTo(ref message);
            var reason = new PolicyReason("taint", message.ToStringAndClear(), TaintRiskOf(plan, name, pointer));
            entry = plan.AddTaintReason(new TaintReasonEntry(from, name, scan.Nested, reason));
        }

        if (reasons is null && alone is null)
        {
            alone = entry.Alone;
            return;
        }

        if (reasons is null)
        {
            reasons = [alone![0]];
            alone = null;
        }

        reasons.Add(entry.Reason);
    }

    /// <summary>The risk of a tainted value: the highest <c>flows.taint.arguments</c> entry naming its argument or covering its pointer (built here only when needed: null for the argument itself), else <see cref="TaintRisk"/>.</summary>
    private RiskLevel TaintRiskOf(ToolPlan plan, string name, string? pointer)
    {
        var found = false;
        var risk = RiskLevel.Low;
        foreach (var (key, r) in plan.TaintArguments)
        {
            bool applies;
            if (key[0] == '/')
            {
                pointer ??= TaintText.Pointer(name);
                applies = string.Equals(pointer, key, StringComparison.Ordinal) || (pointer.StartsWith(key, StringComparison.Ordinal) && pointer.Length > key.Length && pointer[key.Length] == '/');
            }
            else
            {
                applies = string.Equals(name, key, StringComparison.Ordinal);
            }

            if (applies)
            {
                found = true;
                risk = r > risk ? r : risk;
            }
        }

        return found ? risk : TaintRisk;
    }

    /// <summary>The texts of a result a model reads, normalized: text blocks, text resources, resource links and every string in the structured content.</summary>
    public static List<string> TaintedTextsOf(CallToolResult? result)
    {
        var texts = new List<string>();
        if (result is null)
        {
            return texts;
        }

        foreach (var block in result.Content ?? [])
        {
            switch (block)
            {
                case TextContentBlock text:
                    AddText(texts, text.Text);
                    break;
                case EmbeddedResourceBlock { Resource: TextResourceContents resource }:
                    AddText(texts, resource.Text);
                    break;
                case ResourceLinkBlock link:
                    AddText(texts, link.Uri);
                    AddText(texts, link.Description);
                    break;
            }
        }

        if (result.StructuredContent is { } structured && structured.ValueKind is not JsonValueKind.Undefined)
        {
            var collected = texts;
            TaintText.Walk(structured, [], ref collected, static (ReadOnlySpan<char> text, List<PathSegment> _, ref List<string> into) =>
            {
                AddText(into, text.ToString());
                return false;
            });
        }

        return texts;
    }

    private static void AddText(List<string> texts, string? text)
    {
        if (!string.IsNullOrEmpty(text))
        {
            texts.Add(TaintText.Normalize(text));
        }
    }

    private static ToolPattern? Parse(List<PolicyError> errors, string path, string? match, string? source)
    {
        if (ToolPattern.TryParse(match, out var pattern, out var error))
        {
            return pattern;
        }

        errors.Add(new PolicyError(path, source, error!));
        return null;
    }

    private static void CheckRisk(List<PolicyError> errors, string path, RiskLevel risk, string? source)
    {
        if (!Enum.IsDefined(risk))
        {
            errors.Add(new PolicyError(path, source, $"{(int)risk} is not a risk level (Low, Medium, High or Block)"));
        }
    }

    private struct TaintScan(TaintIndex index)
    {
        public TaintIndex Index = index;
        public FlowCall? Source;

        /// <summary>The JSON Pointer of the hit below its top-level argument (such as <c>/options/0</c>); null for the argument itself.</summary>
        public string? Nested;
    }
}

/// <summary>What the flow rules need to know about one tool, resolved once, and the taint reasons and decision last built for it.</summary>
internal sealed class ToolPlan
{
    private const int TaintReasonSlots = 4;

    private readonly TaintReasonEntry?[] _taintReasons = new TaintReasonEntry?[TaintReasonSlots];
    private int _nextTaintReason;
    private RaisedDecision? _raised;
    private ulong[]? _steps;

    /// <summary>Creates the plan.</summary>
    /// <param name="tool">The descriptor the plan was made for.</param>
    /// <param name="labels">The tool's flow labels.</param>
    /// <param name="hasChainSteps">True when some chain step's pattern matches the tool.</param>
    /// <param name="taintArguments">The <c>flows.taint.arguments</c> entries that apply to the tool.</param>
    public ToolPlan(ToolDescriptor? tool, FlowLabels labels, bool hasChainSteps, (string Key, RiskLevel Risk)[] taintArguments)
    {
        Tool = tool;
        Labels = labels;
        HasChainSteps = hasChainSteps;
        TaintArguments = taintArguments;
    }

    /// <summary>The descriptor the plan was made for.</summary>
    public ToolDescriptor? Tool { get; }

    /// <summary>The tool's flow labels.</summary>
    public FlowLabels Labels { get; }

    /// <summary>True when some chain step's pattern matches the tool.</summary>
    public bool HasChainSteps { get; }

    /// <summary>The <c>flows.taint.arguments</c> entries that apply to the tool.</summary>
    public (string Key, RiskLevel Risk)[] TaintArguments { get; }

    /// <summary>
    /// The taint reason already built for text from <paramref name="source"/> in the argument named <paramref name="name"/>
    /// (or, when null, by <paramref name="property"/>) at <paramref name="nested"/>; null when none is cached. The reason is
    /// a function of exactly these (and the plan), so a cached one is the same as a new one.
    /// </summary>
    public TaintReasonEntry? FindTaintReason(FlowCall source, string? name, JsonProperty property, string? nested)
    {
        foreach (var entry in _taintReasons)
        {
            if (entry is not null
                && entry.Source.Sequence == source.Sequence
                && entry.Source.Equals(source)
                && string.Equals(entry.Nested, nested, StringComparison.Ordinal)
                && (name is null ? property.NameEquals(entry.Name) : string.Equals(entry.Name, name, StringComparison.Ordinal)))
            {
                return entry;
            }
        }

        return null;
    }

    /// <summary>Caches <paramref name="entry"/>, replacing the oldest of the few kept; safe to race (a lost entry is only rebuilt).</summary>
    public TaintReasonEntry AddTaintReason(TaintReasonEntry entry)
    {
        var slot = (uint)Interlocked.Increment(ref _nextTaintReason) % TaintReasonSlots;
        Volatile.Write(ref _taintReasons[slot], entry);
        return entry;
    }

    /// <summary>
    /// <paramref name="decision"/> raised by <paramref name="added"/>, reused when the same (immutable) decision and the same
    /// cached reason array come again, as they do when the evaluator's cached decision meets a cached taint reason.
    /// </summary>
    public PolicyDecision Raise(PolicyDecision decision, IReadOnlyList<PolicyReason> added, Func<PolicyDecision, IReadOnlyList<PolicyReason>, PolicyDecision> raise)
    {
        if (added is not PolicyReason[])
        {
            return raise(decision, added);
        }

        if (Volatile.Read(ref _raised) is { } last && ReferenceEquals(last.Decision, decision) && ReferenceEquals(last.Added, added))
        {
            return last.Raised;
        }

        var raised = raise(decision, added);
        Volatile.Write(ref _raised, new RaisedDecision(decision, added, raised));
        return raised;
    }

    /// <summary>An array holding <paramref name="masks"/>: the one handed out last when equal (callers never modify it), else a new one kept for next time.</summary>
    public ulong[] ShareSteps(ReadOnlySpan<ulong> masks)
    {
        if (Volatile.Read(ref _steps) is { } last && masks.SequenceEqual(last))
        {
            return last;
        }

        var steps = masks.ToArray();
        Volatile.Write(ref _steps, steps);
        return steps;
    }

    private sealed record RaisedDecision(PolicyDecision Decision, IReadOnlyList<PolicyReason> Added, PolicyDecision Raised);
}

/// <summary>A taint reason built once for a (source call, argument, nested pointer) of one tool.</summary>
/// <param name="Source">The call whose result the text came from.</param>
/// <param name="Name">The top-level argument's name.</param>
/// <param name="Nested">The JSON Pointer below the argument, or null for the argument itself.</param>
/// <param name="Reason">The reason.</param>
internal sealed record TaintReasonEntry(FlowCall Source, string Name, string? Nested, PolicyReason Reason)
{
    /// <summary>The reason alone, as the flow check returns it when it is the only one (never modified).</summary>
    public PolicyReason[] Alone { get; } = [Reason];
}
