namespace McpPolicy.Schemas;

/// <summary>
/// The catalog guard's contributions to a decision, one rule per reason id so a decision names exactly why a tool is quarantined.
/// A rule that throws blocks the call (the engine fails closed). The guard is resolved at the first call, not when the rule is made:
/// the policy's options validator builds the rules, and the guard reads those same options.
/// </summary>
internal abstract class CatalogRule : IPolicyRule
{
    private readonly Lazy<CatalogGuard> _guard;

    protected CatalogRule(Func<CatalogGuard> guard)
    {
        _guard = new Lazy<CatalogGuard>(guard);
    }

    public abstract string Id { get; }

    protected CatalogGuard Guard => _guard.Value;

    public RuleVerdict Evaluate(ToolInvocationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);

        // A tool the server never listed already gets defaults.unknownTool from the policy itself.
        if (context.Tool is not { } tool)
        {
            return RuleVerdict.NoOpinion;
        }

        var state = Guard.Check(context.ServerId, tool, out var change);
        return Verdict(state, context, change);
    }

    protected abstract RuleVerdict Verdict(CatalogGuard.Quarantine state, ToolInvocationContext context, CatalogChange? change);
}

/// <summary><c>catalog:new</c>: a listed tool the lock does not approve gets <c>defaults.unknownTool</c>.</summary>
internal sealed class CatalogNewToolRule(Func<CatalogGuard> guard) : CatalogRule(guard)
{
    public override string Id => "catalog:new";

    protected override RuleVerdict Verdict(CatalogGuard.Quarantine state, ToolInvocationContext context, CatalogChange? change)
        => state != CatalogGuard.Quarantine.New ? RuleVerdict.NoOpinion
            : RuleVerdict.Raise(Guard.UnknownToolRisk, change?.Kind == CatalogChangeKind.Renamed
                ? $"'{context.ToolName}' looks like '{change.PreviousName}' renamed; it is not in the catalog lock and is quarantined until approved"
                : $"'{context.ToolName}' is not in the catalog lock; it is quarantined until approved");
}

/// <summary><c>catalog:changed</c>: a tool whose definition hash differs from the lock gets <c>defaults.changedTool</c>.</summary>
internal sealed class CatalogChangedToolRule(Func<CatalogGuard> guard) : CatalogRule(guard)
{
    public override string Id => "catalog:changed";

    protected override RuleVerdict Verdict(CatalogGuard.Quarantine state, ToolInvocationContext context, CatalogChange? change)
        => state != CatalogGuard.Quarantine.Changed ? RuleVerdict.NoOpinion
            : RuleVerdict.Raise(Guard.ChangedToolRisk, change is null
                ? $"the definition of '{context.ToolName}' differs from the approved one; it is quarantined until approved"
                : $"the definition of '{context.ToolName}' changed since it was approved ({Kinds(change)}); it is quarantined until approved");

    private static string Kinds(CatalogChange change)
    {
        var kinds = change.Differences.OrderByDescending(d => d.Severity).Select(d => d.Kind).Distinct(StringComparer.Ordinal).Take(4);
        return string.Join(", ", kinds);
    }
}

/// <summary><c>catalog:instructions</c>: when the server's instructions changed and the guard quarantines whole servers, every tool gets <c>defaults.changedTool</c>.</summary>
internal sealed class CatalogInstructionsRule(Func<CatalogGuard> guard) : CatalogRule(guard)
{
    public override string Id => "catalog:instructions";

    protected override RuleVerdict Verdict(CatalogGuard.Quarantine state, ToolInvocationContext context, CatalogChange? change)
        => state != CatalogGuard.Quarantine.Instructions ? RuleVerdict.NoOpinion
            : RuleVerdict.Raise(Guard.ChangedToolRisk, $"the instructions of server '{context.ServerId}' changed since they were approved; its tools are quarantined until approved");
}

/// <summary><c>catalog:error</c>: when the guard could not check the server's last listing, its calls are blocked.</summary>
internal sealed class CatalogErrorRule(Func<CatalogGuard> guard) : CatalogRule(guard)
{
    public override string Id => "catalog:error";

    protected override RuleVerdict Verdict(CatalogGuard.Quarantine state, ToolInvocationContext context, CatalogChange? change)
        => state != CatalogGuard.Quarantine.Faulted ? RuleVerdict.NoOpinion
            : RuleVerdict.Block($"the tool list of server '{context.ServerId}' could not be checked against the catalog lock, so its calls are blocked");
}
