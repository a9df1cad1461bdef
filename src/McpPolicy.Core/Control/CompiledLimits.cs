using System.Globalization;
using System.Text.Json;

namespace McpPolicy.Control;

/// <summary>The <c>limits</c> and <c>killSwitch</c> sections of one policy, checked and ready to apply. Immutable.</summary>
internal sealed class CompiledLimits
{
    private readonly (ToolPattern Pattern, FlowLabels Labels)[] _labels;
    private readonly HashSet<string> _trustedServers;

    private CompiledLimits(ToolLimit[] perTool, ConversationLimitPolicy conversation, (ToolPattern, FlowLabels)[] labels, HashSet<string> trustedServers, KillSwitchEntry[] killSwitch)
    {
        PerTool = perTool;
        MaxCalls = conversation.MaxCalls;
        MaxApprovals = conversation.MaxApprovals;
        MaxSinkBytes = conversation.MaxSinkBytes;
        _labels = labels;
        _trustedServers = trustedServers;
        KillSwitch = killSwitch;
        HasConversationBudgets = MaxCalls is not null || MaxApprovals is not null || MaxSinkBytes is not null;
        IsEmpty = perTool.Length == 0 && !HasConversationBudgets;
    }

    public static CompiledLimits Empty { get; } = new([], new ConversationLimitPolicy(), [], [], []);

    public ToolLimit[] PerTool { get; }

    public int? MaxCalls { get; }

    public int? MaxApprovals { get; }

    public long? MaxSinkBytes { get; }

    public bool HasConversationBudgets { get; }

    /// <summary>True when no limit applies to any call.</summary>
    public bool IsEmpty { get; }

    public KillSwitchEntry[] KillSwitch { get; }

    /// <summary>Checks and compiles the sections, or throws <see cref="PolicyValidationException"/> naming every problem.</summary>
    public static CompiledLimits Compile(McpPolicyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = Validate(options, out var compiled);
        return errors.Count > 0 ? throw new PolicyValidationException(errors) : compiled!;
    }

    /// <summary>The problems of the sections (empty when valid).</summary>
    public static List<PolicyError> Validate(McpPolicyOptions options, out CompiledLimits? compiled)
    {
        var errors = new List<PolicyError>();
        var perTool = new List<ToolLimit>();
        foreach (var (match, limit) in options.Limits.PerTool.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var path = "$.limits.perTool." + match;
            if (!ToolPattern.TryParse(match, out var pattern, out var error))
            {
                errors.Add(new PolicyError(path, null, error!));
                continue;
            }

            if (limit is null)
            {
                errors.Add(new PolicyError(path, null, "the entry is null; give it perMinute, concurrency or timeout"));
                continue;
            }

            if (limit.PerMinute is < 1)
            {
                errors.Add(new PolicyError(path + ".perMinute", null, string.Create(CultureInfo.InvariantCulture, $"'perMinute' must be at least 1, found {limit.PerMinute}; to stop a tool altogether use the kill switch or risk Block")));
            }

            if (limit.Concurrency is < 1)
            {
                errors.Add(new PolicyError(path + ".concurrency", null, string.Create(CultureInfo.InvariantCulture, $"'concurrency' must be at least 1, found {limit.Concurrency}")));
            }

            if (limit.Timeout is { } t && t <= TimeSpan.Zero)
            {
                errors.Add(new PolicyError(path + ".timeout", null, "'timeout' must be a positive time span, such as \"00:00:30\""));
            }

            if (limit.PerMinute is null && limit.Concurrency is null && limit.Timeout is null)
            {
                errors.Add(new PolicyError(path, null, "the entry sets no limit; give it perMinute, concurrency or timeout"));
            }

            perTool.Add(new ToolLimit(pattern!, limit.PerMinute, limit.Concurrency, limit.Timeout));
        }

        var c = options.Limits.PerConversation;
        if (c.MaxCalls is < 0)
        {
            errors.Add(new PolicyError("$.limits.perConversation.maxCalls", null, "'maxCalls' must be 0 or more"));
        }

        if (c.MaxApprovals is < 0)
        {
            errors.Add(new PolicyError("$.limits.perConversation.maxApprovals", null, "'maxApprovals' must be 0 or more"));
        }

        if (c.MaxSinkBytes is < 0)
        {
            errors.Add(new PolicyError("$.limits.perConversation.maxSinkBytes", null, "'maxSinkBytes' must be 0 or more"));
        }

        for (var i = 0; i < options.KillSwitch.Count; i++)
        {
            if (options.KillSwitch[i] is null)
            {
                errors.Add(new PolicyError(string.Create(CultureInfo.InvariantCulture, $"$.killSwitch[{i}]"), null, "the entry is null"));
            }
        }

        var labels = new List<(ToolPattern, FlowLabels)>();
        foreach (var (match, value) in options.Labels)
        {
            // The flow rules report bad label patterns; here they only decide which tools are sinks.
            if (ToolPattern.TryParse(match, out var pattern, out _))
            {
                labels.Add((pattern!, value));
            }
        }

        var trusted = options.Servers.Where(s => s.Value is { Trusted: true }).Select(s => s.Key).ToHashSet(StringComparer.Ordinal);
        compiled = errors.Count > 0 ? null : new CompiledLimits(perTool.ToArray(), c, labels.ToArray(), trusted, options.KillSwitch.ToArray());
        return errors;
    }

    /// <summary>
    /// True when the call's tool is an external sink: labelled so by a matching <c>labels</c> entry; else by its <c>[FlowLabel]</c>;
    /// else by its hints (open-world, or any tool of a server the policy does not trust). A tool the gate does not know is a sink.
    /// The same reading as the flow rules of McpPolicy.Chains.
    /// </summary>
    public bool IsExternalSink(ToolInvocationContext context)
    {
        var matched = false;
        var labels = FlowLabels.None;
        foreach (var (pattern, value) in _labels)
        {
            if (pattern.Matches(context.ServerId, context.ToolName))
            {
                matched = true;
                labels |= value;
            }
        }

        if (matched)
        {
            return (labels & FlowLabels.ExternalSink) != 0;
        }

        if (context.Tool is not { } tool)
        {
            return true;
        }

        if (ToolPolicyMetadata.FindLast<FlowLabelAttribute>(tool.Metadata) is { } attribute)
        {
            return (attribute.Labels & FlowLabels.ExternalSink) != 0;
        }

        return !_trustedServers.Contains(context.ServerId) || tool.Hints.IsOpenWorld;
    }

    /// <summary>The size of the call's arguments as UTF-8 JSON.</summary>
    public static long ArgumentBytes(ToolArguments arguments)
    {
        using var writer = new Utf8JsonWriter(Stream.Null);
        arguments.WriteTo(writer);
        writer.Flush();
        return writer.BytesCommitted;
    }
}

/// <summary>One compiled <c>limits.perTool</c> entry and its ids.</summary>
internal sealed class ToolLimit
{
    public ToolLimit(ToolPattern pattern, int? perMinute, int? concurrency, TimeSpan? timeout)
    {
        Pattern = pattern;
        PerMinute = perMinute;
        Concurrency = concurrency;
        Timeout = timeout;
        var prefix = "limits.perTool[" + pattern.Text + "].";
        PerMinuteId = prefix + "perMinute";
        ConcurrencyId = prefix + "concurrency";
        TimeoutId = prefix + "timeout";

        // Counters are keyed by what they count, so a reload that keeps an entry keeps its counts.
        BucketKey = string.Create(CultureInfo.InvariantCulture, $"{pattern.Text}\n{perMinute}\n");
        ConcurrencyKey = string.Create(CultureInfo.InvariantCulture, $"{pattern.Text}\n{concurrency}\n");
    }

    public ToolPattern Pattern { get; }

    public int? PerMinute { get; }

    public int? Concurrency { get; }

    public TimeSpan? Timeout { get; }

    public string PerMinuteId { get; }

    public string ConcurrencyId { get; }

    public string TimeoutId { get; }

    public string BucketKey { get; }

    public string ConcurrencyKey { get; }
}
