using BenchmarkDotNet.Attributes;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Benchmarks;

/// <summary>
/// The per-call cost of the control steps: the built-in pipeline (assess, decide) alone; with the kill switch (five entries, none
/// covering the call) and the limit filter with no limits; and with a per-minute bucket, a concurrency limit and a call budget
/// that the call passes. One Low call with a synchronous tool, so the numbers are the pipeline's only.
/// </summary>
[MemoryDiagnoser]
public class ControlBenchmarks
{
    private static readonly CallToolResult Result = new() { Content = [] };
    private static readonly Func<ToolInvocationContext, CancellationToken, ValueTask<CallToolResult>> Invoker = static (_, _) => new ValueTask<CallToolResult>(Result);

    private ToolInvocationPipeline _builtIn = null!;
    private ToolInvocationPipeline _control = null!;
    private ToolInvocationPipeline _limited = null!;
    private ToolDescriptor _tool = null!;

    [GlobalSetup]
    public void Setup()
    {
        _tool = new ToolDescriptor("read_file") { Hints = new ToolHints(ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false) };
        var open = PolicyLoader.FromJson("""{ "defaults": { "risk": "Low" } }""");
        var limited = PolicyLoader.FromJson("""
            { "defaults": { "risk": "Low" },
              "limits": { "perTool": { "fs/*": { "perMinute": 1000000000, "concurrency": 64 } }, "perConversation": { "maxCalls": 2000000000 } } }
            """);
        _builtIn = Build(open, control: false);
        _control = Build(open, control: true);
        _limited = Build(limited, control: true);
        foreach (var pipeline in new[] { _builtIn, _control, _limited })
        {
            if (Call(pipeline).IsError == true)
            {
                throw new InvalidOperationException("scenario broken: the call was denied");
            }
        }
    }

    /// <summary>Assess and decide only.</summary>
    [Benchmark(Baseline = true)]
    public CallToolResult BuiltIn() => Call(_builtIn);

    /// <summary>Plus the kill switch (5 entries, none matching) and the limit filter with an empty limits section.</summary>
    [Benchmark]
    public CallToolResult KillSwitchAndNoLimits() => Call(_control);

    /// <summary>Plus a token bucket, a concurrency limit and a conversation call budget that the call passes.</summary>
    [Benchmark]
    public CallToolResult KillSwitchAndLimits() => Call(_limited);

    private static ToolInvocationPipeline Build(McpPolicyOptions options, bool control)
    {
        var evaluator = new PolicyEvaluator(options);
        var decide = new PolicyDecisionFilter(evaluator, new InMemoryApprovalStore());
        if (!control)
        {
            return new ToolInvocationPipeline([new PolicyAssessmentFilter(evaluator), decide]);
        }

        var killSwitch = new KillSwitch();
        foreach (var scope in new[] { "server:shell", "web/post_*", "*/delete_*", "db/drop", "mail/send" })
        {
            killSwitch.Disable(KillSwitchScope.Parse(scope));
        }

        return new ToolInvocationPipeline([new KillSwitchFilter(killSwitch), new PolicyAssessmentFilter(evaluator), new LimitFilter(options, killSwitch), decide]);
    }

    private CallToolResult Call(ToolInvocationPipeline pipeline)
    {
        var context = new ToolInvocationContext("fs", "read_file", tool: _tool) { ConversationId = "c", Invoker = Invoker };
        var pending = pipeline.InvokeAsync(context);
        return pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
    }
}
