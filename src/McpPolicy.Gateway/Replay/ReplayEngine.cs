using System.Globalization;
using McpPolicy.Schemas;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Gateway.Replay;

/// <summary>What the gate did with one replayed call.</summary>
internal enum CallVerdict
{
    /// <summary>Allowed without an approval (Low or Medium).</summary>
    Allowed,

    /// <summary>Needed a human approval (High).</summary>
    Approval,

    /// <summary>Denied (Block, or denied by a step after the decision).</summary>
    Blocked,
}

/// <summary>One replayed call: the verdict and the reason that decided it.</summary>
/// <param name="Index">The call's position in its trace (0-based).</param>
/// <param name="Call">The recorded call.</param>
/// <param name="Verdict">What the gate did.</param>
/// <param name="Reason">The decisive reason (<c>id (Risk): message</c>), or the denial text when a later step denied the call.</param>
/// <param name="Ran">True when the simulated user let it run, so its recorded result entered the conversation's flow state.</param>
internal sealed record CallOutcome(int Index, ReplayCall Call, CallVerdict Verdict, string Reason, bool Ran);

/// <summary>One replayed trace with the outcome of each call.</summary>
/// <param name="Trace">The trace.</param>
/// <param name="Calls">One outcome per call, in order.</param>
internal sealed record TraceOutcome(ReplayTrace Trace, IReadOnlyList<CallOutcome> Calls)
{
    /// <summary>
    /// A benign task's verdict: <see cref="CallVerdict.Blocked"/> if any call was blocked, else <see cref="CallVerdict.Approval"/> if any
    /// needed an approval, else <see cref="CallVerdict.Allowed"/>.
    /// </summary>
    public CallVerdict TaskVerdict => Calls.Any(c => c.Verdict == CallVerdict.Blocked) ? CallVerdict.Blocked
        : Calls.Any(c => c.Verdict == CallVerdict.Approval) ? CallVerdict.Approval
        : CallVerdict.Allowed;

    /// <summary>An attack trace's first attack-critical call that was blocked or needed approval; null when the attack went through.</summary>
    public CallOutcome? StoppedBy => Calls.FirstOrDefault(c => c.Call.AttackCritical && c.Verdict != CallVerdict.Allowed);

    /// <summary>True when the trace has at least one attack-critical call (a trace without one cannot be stopped and is not counted).</summary>
    public bool HasCriticalCall => Calls.Any(c => c.Call.AttackCritical);
}

/// <summary>
/// Replays recorded traces through the full McpPolicy pipeline as dependency injection builds it for <c>mcp-policy run</c>: the policy file,
/// schema validation, argument constraints, secret detection, flow rules and result inspection. Each trace is one conversation; each call
/// runs with an invoker that returns the recorded result, so results feed labels and taint exactly as live results would.
/// </summary>
/// <remarks>
/// <para>The simulated user: a call that needs an approval (High) is answered by a stand-in for the human. It approves every call of the
/// user's own task (every call of a benign trace, and the <c>origin: user</c> calls of an attack trace), because the user asked for it;
/// it refuses every call the injection added, because the user did not. A refused or blocked call does not run, so its result never
/// enters the flow state (the conservative choice for the security count: the gate learns nothing from the attacker's own reads).</para>
/// <para>Every trace is replayed to its end, whatever happened before: later calls are still decided and counted.</para>
/// </remarks>
internal sealed class ReplayEngine : IDisposable
{
    private readonly ServiceProvider _services;
    private readonly ToolInvocationPipeline _pipeline;
    private readonly bool _approveUserCalls;

    private ReplayEngine(ServiceProvider services, ToolInvocationPipeline pipeline, string policyVersion, bool approveUserCalls)
    {
        _services = services;
        _pipeline = pipeline;
        PolicyVersion = policyVersion;
        _approveUserCalls = approveUserCalls;
    }

    /// <summary>The content hash of the policy the traces are replayed against.</summary>
    public string PolicyVersion { get; }

    /// <summary>Builds the pipeline for a policy file.</summary>
    /// <param name="policyPath">The policy file.</param>
    /// <param name="approveUserCalls">
    /// True (the default): the simulated user approves the High calls of the user's own task. False: it refuses every High call, so no
    /// approval-needing call ever runs or enters the flow state (counts are unchanged in kind: such calls still count as approval).
    /// </param>
    /// <exception cref="UsageException">The file is missing or invalid; the message says what to fix.</exception>
    public static ReplayEngine Create(string policyPath, bool approveUserCalls = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(policyPath);
        if (!File.Exists(policyPath))
        {
            throw new UsageException($"the policy file '{policyPath}' does not exist; pass an existing JSON policy with --policy FILE.");
        }

        var services = new ServiceCollection();
        var policy = services.AddMcpPolicy().AddPolicyFile(Path.GetFullPath(policyPath), reloadOnChange: false);
        policy.AddSchemaValidation();
        policy.AddArgumentConstraints();
        policy.AddSecretDetection();
        policy.AddFlowRules();
        policy.AddResultInspection();
        services.RemoveAll<IApprovalHandler>();
        services.AddSingleton<IApprovalHandler, SimulatedUser>();

        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = false, ValidateScopes = true });
        try
        {
            var evaluator = provider.GetRequiredService<IPolicyEvaluator>();
            var pipeline = provider.GetRequiredService<ToolInvocationPipeline>();
            return new ReplayEngine(provider, pipeline, evaluator.PolicyVersion, approveUserCalls);
        }
        catch (Exception ex) when (ex is PolicyValidationException or OptionsValidationException or InvalidOperationException or IOException or UnauthorizedAccessException or FormatException or System.Text.Json.JsonException)
        {
            provider.Dispose();
            throw new UsageException($"the policy file '{policyPath}' is not usable: {ex.Message}", ex);
        }
    }

    /// <summary>Replays every benign and attack trace of a suite.</summary>
    public async Task<SuiteReport> ReplayAsync(ReplaySuite suite, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(suite);
        var catalog = suite.Tools.ToDictionary(t => t.Name, t => ToolDescriptor.FromProtocol(t), StringComparer.Ordinal);
        var benign = new List<TraceOutcome>(suite.Benign.Count);
        foreach (var trace in suite.Benign)
        {
            benign.Add(await ReplayTraceAsync(suite.Name, catalog, trace, cancellationToken).ConfigureAwait(false));
        }

        var attacks = new List<TraceOutcome>(suite.Attacks.Count);
        foreach (var trace in suite.Attacks)
        {
            attacks.Add(await ReplayTraceAsync(suite.Name, catalog, trace, cancellationToken).ConfigureAwait(false));
        }

        return new SuiteReport(suite.Name, PolicyVersion, benign, attacks);
    }

    /// <summary>Replays one trace as one conversation of its own.</summary>
    public async Task<TraceOutcome> ReplayTraceAsync(string serverId, IReadOnlyDictionary<string, ToolDescriptor> catalog, ReplayTrace trace, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(trace);
        var conversation = (trace.IsAttack ? "replay:attack:" : "replay:benign:") + trace.Id + ":" + Guid.NewGuid().ToString("N");
        var outcomes = new List<CallOutcome>(trace.Calls.Count);
        for (var i = 0; i < trace.Calls.Count; i++)
        {
            var call = trace.Calls[i];
            var context = new ToolInvocationContext(serverId, call.Tool, ToolArguments.Parse(call.ArgumentsJson), catalog.GetValueOrDefault(call.Tool))
            {
                ConversationId = conversation,
                RequestId = (i + 1).ToString(CultureInfo.InvariantCulture),
                Invoker = static (ctx, _) => ValueTask.FromResult((CallToolResult)ctx.InvokerState!),
                InvokerState = new CallToolResult { Content = [new TextContentBlock { Text = call.Result }] },
            };
            context.Items[SimulatedUser.ApproveKey] = _approveUserCalls && (!trace.IsAttack || call.Origin == CallOrigin.User);

            var result = await _pipeline.InvokeAsync(context, cancellationToken).ConfigureAwait(false);
            outcomes.Add(Judge(i, call, context, result));
        }

        return new TraceOutcome(trace, outcomes);
    }

    /// <inheritdoc />
    public void Dispose() => _services.Dispose();

    private static CallOutcome Judge(int index, ReplayCall call, ToolInvocationContext context, CallToolResult result)
    {
        var decision = context.Decision;
        if (decision is { Outcome: PolicyOutcome.RequiresApproval })
        {
            return new CallOutcome(index, call, CallVerdict.Approval, decision.DecisiveReason.ToString(), context.ToolInvoked);
        }

        if (decision is { IsAllowed: true } && context.ToolInvoked)
        {
            return new CallOutcome(index, call, CallVerdict.Allowed, decision.DecisiveReason.ToString(), Ran: true);
        }

        // Blocked by the decision, or allowed by it and denied by a later step (a limit, a kill switch, a failure): either way it did not run.
        var reason = decision is { Outcome: PolicyOutcome.Deny } ? decision.DecisiveReason.ToString() : DenialText(result);
        return new CallOutcome(index, call, CallVerdict.Blocked, reason, context.ToolInvoked);
    }

    private static string DenialText(CallToolResult result)
        => string.Join(" ", result.Content.OfType<TextContentBlock>().Select(t => t.Text));

    /// <summary>The stand-in for the human approver; see the remarks of <see cref="ReplayEngine"/>.</summary>
    private sealed class SimulatedUser : IApprovalHandler
    {
        public static readonly object ApproveKey = new();

        public ValueTask<ApprovalResponse> RequestApprovalAsync(ApprovalRequest request, CancellationToken cancellationToken)
        {
            var approve = request.Invocation?.Items.TryGetValue(ApproveKey, out var value) == true && value is true;
            return ValueTask.FromResult(approve
                ? ApprovalResponse.Approve("replay:user", "the user's own task")
                : ApprovalResponse.Deny("replay:user", "the user did not ask for this call"));
        }
    }
}
