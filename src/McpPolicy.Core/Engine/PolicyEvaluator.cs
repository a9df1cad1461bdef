using McpPolicy.Engine;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace McpPolicy;

/// <summary>
/// The compiled risk gate. Holds an immutable compiled policy and swaps it atomically on <see cref="Reload"/>;
/// an invalid policy never replaces the one in force. Thread-safe.
/// </summary>
public sealed partial class PolicyEvaluator : IPolicyEvaluator
{
    private readonly ILogger _logger;
    private readonly IPolicyRule[] _customRules;
    private readonly IArgumentConstraintKind[] _constraintKinds;
    private readonly ISchemaOverlayCompiler? _schemaOverlays;
    private readonly Action<string, Exception> _onRuleError;
    private volatile CompiledPolicy _policy;

    /// <summary>Compiles <paramref name="options"/> with <paramref name="rules"/>.</summary>
    /// <param name="options">The declarative policy.</param>
    /// <param name="rules">Custom rules.</param>
    /// <param name="logger">Receives rule failures (the exception stays in the log, never in the decision).</param>
    /// <param name="constraintKinds">Typed argument constraints (<c>path</c>, <c>url</c>, <c>commandLine</c>...) the policy may use.</param>
    /// <param name="schemaOverlays">Compiles the policy's schema overlays (<c>tools[].schema</c>); without one, a policy that uses them is invalid.</param>
    /// <exception cref="PolicyValidationException">The policy is invalid.</exception>
    public PolicyEvaluator(McpPolicyOptions options, IEnumerable<IPolicyRule>? rules = null, ILogger<PolicyEvaluator>? logger = null, IEnumerable<IArgumentConstraintKind>? constraintKinds = null, ISchemaOverlayCompiler? schemaOverlays = null)
    {
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _customRules = rules?.ToArray() ?? [];
        _constraintKinds = constraintKinds?.ToArray() ?? [];
        _schemaOverlays = schemaOverlays;
        _policy = PolicyCompiler.Compile(options, _customRules, _constraintKinds, _schemaOverlays);
        _onRuleError = (id, ex) => LogRuleFailed(_logger, id, ex);
    }

    /// <inheritdoc />
    public string PolicyVersion => _policy.Version;

    /// <inheritdoc />
    public ApprovalPolicy Approval => _policy.Approval;

    internal CompiledPolicy Compiled => _policy;

    /// <summary>Compiles a new policy (with the same custom rules) and puts it in force atomically. On error the current policy stays.</summary>
    /// <param name="options">The new declarative policy.</param>
    /// <returns>The new policy version.</returns>
    /// <exception cref="PolicyValidationException">The new policy is invalid; nothing changed.</exception>
    public string Reload(McpPolicyOptions options)
    {
        var compiled = PolicyCompiler.Compile(options, _customRules, _constraintKinds, _schemaOverlays);
        _policy = compiled;
        return compiled.Version;
    }

    /// <summary>Compiles <paramref name="options"/> without putting it in force (hot reload compiles every part before swapping any).</summary>
    /// <exception cref="PolicyValidationException">The policy is invalid.</exception>
    internal CompiledPolicy Prepare(McpPolicyOptions options) => PolicyCompiler.Compile(options, _customRules, _constraintKinds, _schemaOverlays);

    /// <summary>Puts a policy compiled by <see cref="Prepare"/> in force.</summary>
    internal void Swap(CompiledPolicy policy) => _policy = policy;

    /// <inheritdoc />
    public PolicyDecision Evaluate(ToolInvocationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var policy = _policy;
        try
        {
            var plan = policy.GetPlan(context.ServerId, context.ToolName);
            return DecisionEngine.Decide(policy, plan, context, _onRuleError);
        }
#pragma warning disable CA1031 // Fail closed: any failure inside the policy blocks the call.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogEvaluationFailed(_logger, context.QualifiedName, ex);
            return new PolicyDecision(RiskLevel.Block, [new PolicyReason("policy-error", "the policy failed while checking this call, so the call is blocked", RiskLevel.Block)], policy.Version);
        }
    }

    /// <inheritdoc />
    public RiskLevel GetListingRisk(string serverId, ToolDescriptor tool)
    {
        ArgumentNullException.ThrowIfNull(serverId);
        ArgumentNullException.ThrowIfNull(tool);
        var policy = _policy;
        try
        {
            return DecisionEngine.ListingRisk(policy, policy.GetPlan(serverId, tool.Name), tool);
        }
#pragma warning disable CA1031 // Fail closed.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogEvaluationFailed(_logger, serverId + "/" + tool.Name, ex);
            return RiskLevel.Block;
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<ToolSchemaOverlay> GetSchemaOverlays(string serverId, string toolName)
    {
        ArgumentNullException.ThrowIfNull(serverId);
        ArgumentNullException.ThrowIfNull(toolName);
        return _policy.GetPlan(serverId, toolName).SchemaOverlays;
    }

    /// <summary>The schema overlays resolved by scanning every entry, with no index or memo. For tests.</summary>
    internal IReadOnlyList<ToolSchemaOverlay> GetSchemaOverlaysLinear(string serverId, string toolName)
        => _policy.BuildLinearPlan(serverId, toolName).SchemaOverlays;

    /// <summary>The reference evaluation: resolves the plan by scanning every entry, with no index or memo. For tests.</summary>
    internal PolicyDecision EvaluateLinear(ToolInvocationContext context)
    {
        var policy = _policy;
        var plan = policy.BuildLinearPlan(context.ServerId, context.ToolName);
        return DecisionEngine.Decide(policy, plan, context, null);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "Policy rule {RuleId} threw; the call is blocked.")]
    private static partial void LogRuleFailed(ILogger logger, string ruleId, Exception exception);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "Policy evaluation failed for {Tool}; the call is blocked.")]
    private static partial void LogEvaluationFailed(ILogger logger, string tool, Exception exception);
}
