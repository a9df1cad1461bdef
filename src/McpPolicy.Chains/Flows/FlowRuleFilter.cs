using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace McpPolicy.Chains;

/// <summary>
/// Pipeline step <see cref="ToolInvocationFilterOrder.Flow"/>: raises a call's risk by the conversation's flow rules (the
/// untrusted → private → sink rule, chains, value-level taint), then, once the tool has run, records the call, its labels
/// and its result's fingerprints in the conversation's <see cref="ConversationFlowState"/>.
/// </summary>
/// <remarks>
/// The result is recorded as the model will see it, after the inspection steps inside this one have sanitized it. A store
/// failure while checking blocks the call; while recording, it fails the call so its result is withheld (fail closed).
/// </remarks>
public sealed partial class FlowRuleFilter : IToolInvocationFilter
{
    /// <summary>The reason id of a call blocked because its conversation's flow state could not be read.</summary>
    public const string ErrorReasonId = "flow:error";

    private readonly CompiledFlowRules _rules;
    private readonly IConversationStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Creates the filter, compiling the <c>labels</c>, <c>chains</c> and <c>flows</c> of <paramref name="policy"/>.</summary>
    /// <param name="policy">The policy.</param>
    /// <param name="store">Where conversation state is kept.</param>
    /// <param name="timeProvider">The clock for chain time bounds; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="constraintKinds">Typed argument constraint kinds for chain step conditions, when any.</param>
    /// <param name="logger">Receives store failures.</param>
    /// <exception cref="PolicyValidationException">The flow parts of the policy are invalid.</exception>
    public FlowRuleFilter(McpPolicyOptions policy, IConversationStore store, TimeProvider? timeProvider = null, IEnumerable<IArgumentConstraintKind>? constraintKinds = null, ILogger<FlowRuleFilter>? logger = null)
        : this(CompiledFlowRules.Compile(policy, constraintKinds), store, timeProvider, logger)
    {
    }

    internal FlowRuleFilter(CompiledFlowRules rules, IConversationStore store, TimeProvider? timeProvider, ILogger<FlowRuleFilter>? logger)
    {
        ArgumentNullException.ThrowIfNull(store);
        _rules = rules;
        _store = store;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <inheritdoc />
    public int Order => ToolInvocationFilterOrder.Flow;

    internal CompiledFlowRules Rules => _rules;

    /// <summary>The flow labels the filter gives a tool (from the policy's <c>labels</c>, <see cref="FlowLabelAttribute"/> or annotation hints).</summary>
    /// <param name="serverId">The host-configured server id.</param>
    /// <param name="tool">The tool's definition.</param>
    /// <returns>The labels.</returns>
    public FlowLabels GetLabels(string serverId, ToolDescriptor tool)
    {
        ArgumentNullException.ThrowIfNull(serverId);
        ArgumentNullException.ThrowIfNull(tool);
        return _rules.LabelsOf(serverId, tool.Name, tool);
    }

    /// <inheritdoc />
    public async ValueTask InvokeAsync(ToolInvocationContext context, ToolInvocationDelegate next, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (context.Decision is not { } decision)
        {
            // No decision: the decide step denies the call; nothing to raise, nothing will run.
            await next(context, cancellationToken).ConfigureAwait(false);
            return;
        }

        ToolPlan plan;
        ulong[]? steps;
        string conversation;
        IReadOnlyList<PolicyReason>? reasons;
        try
        {
            plan = _rules.PlanFor(context);
            steps = _rules.MatchSteps(context, plan);
            conversation = ConversationIdentity.Resolve(context);
            reasons = await _store.ReadFlowAsync(
                conversation,
                (Rules: _rules, Context: context, Plan: plan, Steps: steps, Now: _rules.UsesTime ? _time.GetUtcNow() : default),
                static (state, a) => a.Rules.Check(state, a.Context, a.Plan, a.Steps, a.Now),
                cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // Fail closed: any failure of the store or the rules blocks the call.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogCheckFailed(_logger, context.QualifiedName, ex);
            context.Decision = Raise(decision, [new PolicyReason(ErrorReasonId, "the conversation's flow state could not be checked, so the call was not run", RiskLevel.Block)]);
            context.Result = Denials.For(context.Decision);
            return;
        }

        if (reasons is not null)
        {
            decision = plan.Raise(decision, reasons, Raise);
            context.Decision = decision;
            if (decision.Outcome == PolicyOutcome.Deny)
            {
                context.Result = Denials.For(decision);
                return;
            }
        }

        try
        {
            await next(context, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (context.ToolInvoked)
            {
                var texts = (plan.Labels & (FlowLabels.UntrustedSource | FlowLabels.PrivateData)) != 0 ? CompiledFlowRules.TaintedTextsOf(context.Result) : null;
                var observation = new FlowObservation(context.QualifiedName, context.RequestId, plan.Labels, _time.GetUtcNow(), steps, texts);

                // Not the call's token: the tool has run, so its trace must be kept even if the caller gave up.
                await _store.UpdateFlowAsync(
                    conversation,
                    (Rules: _rules, Observation: observation),
                    static (state, a) => state.Record(a.Observation, a.Rules),
                    CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private static PolicyDecision Raise(PolicyDecision decision, IReadOnlyList<PolicyReason> added)
    {
        var risk = decision.Risk;
        var before = decision.Reasons;
        var reasons = new PolicyReason[before.Count + added.Count];
        for (var i = 0; i < before.Count; i++)
        {
            reasons[i] = before[i];
        }

        for (var i = 0; i < added.Count; i++)
        {
            var reason = added[i];
            reasons[before.Count + i] = reason;
            risk = reason.Risk > risk ? reason.Risk : risk;
        }

        return new PolicyDecision(risk, reasons, decision.PolicyVersion);
    }

    [LoggerMessage(EventId = 400, Level = LogLevel.Error, Message = "The flow rules could not check {Tool}; the call is blocked.")]
    private static partial void LogCheckFailed(ILogger logger, string tool, Exception exception);
}
