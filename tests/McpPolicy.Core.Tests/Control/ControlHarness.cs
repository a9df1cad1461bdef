using McpPolicy.Core.Tests.TestSupport;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Core.Tests.Control;

/// <summary>The built-in pipeline with the control steps: kill switch, policy, limits, decision; the tool answers "ran".</summary>
internal sealed class ControlHarness : IDisposable
{
    private int _invocations;

    public ControlHarness(McpPolicyOptions options, TimeProvider? time = null, IApprovalHandler? approvals = null, IKillSwitchStore? store = null)
    {
        Time = time ?? TimeProvider.System;
        Evaluator = new PolicyEvaluator(options);
        KillSwitch = new KillSwitch(store, Time);
        KillSwitch.SetConfigured(options.KillSwitch);
        Limits = new LimitFilter(options, KillSwitch, Time);
        Pipeline = new ToolInvocationPipeline(
        [
            new KillSwitchFilter(KillSwitch),
            new PolicyAssessmentFilter(Evaluator),
            Limits,
            new PolicyDecisionFilter(Evaluator, new InMemoryApprovalStore(Time), approvals, Time),
        ]);
    }

    public TimeProvider Time { get; }

    public PolicyEvaluator Evaluator { get; }

    public KillSwitch KillSwitch { get; }

    public LimitFilter Limits { get; }

    public ToolInvocationPipeline Pipeline { get; }

    /// <summary>How many calls reached the tool.</summary>
    public int Invocations => Volatile.Read(ref _invocations);

    /// <summary>What the tool does; the default answers at once.</summary>
    public Func<ToolInvocationContext, CancellationToken, ValueTask<CallToolResult>>? Tool { get; set; }

    public static McpPolicyOptions Policy(string json) => PolicyLoader.FromJson(json);

    public ValueTask<CallToolResult> CallAsync(string qualifiedName, string? arguments = null, string? conversation = null, System.Security.Claims.ClaimsPrincipal? principal = null, CancellationToken cancellationToken = default)
    {
        var known = Calls.Known(qualifiedName, arguments);
        var context = new ToolInvocationContext(known.ServerId, known.ToolName, known.Arguments, known.Tool)
        {
            ConversationId = conversation,
            Principal = principal,
            Invoker = InvokeAsync,
        };
        return Pipeline.InvokeAsync(context, cancellationToken);
    }

    public void Dispose() => Limits.Dispose();

    private ValueTask<CallToolResult> InvokeAsync(ToolInvocationContext context, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _invocations);
        return Tool is { } tool ? tool(context, cancellationToken) : new ValueTask<CallToolResult>(Ran());
    }

    public static CallToolResult Ran() => new() { Content = [new TextContentBlock { Text = "ran" }] };
}

internal static class ControlAssert
{
    public static string RuleId(CallToolResult result)
    {
        Assert.True(Denials.IsDenial(result), "expected a policy denial, got: " + Text(result));
        return result.Meta![McpPolicyMetaKeys.RuleId]!.GetValue<string>();
    }

    public static void Ran(CallToolResult result) => Assert.False(result.IsError == true, "expected the tool to run, got: " + Text(result));

    public static string Text(CallToolResult result) => string.Concat(result.Content.OfType<TextContentBlock>().Select(b => b.Text));
}
