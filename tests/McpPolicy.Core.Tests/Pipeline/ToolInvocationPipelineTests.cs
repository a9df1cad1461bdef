using McpPolicy.Core.Tests.TestSupport;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Core.Tests.Pipeline;

public sealed class ToolInvocationPipelineTests
{
    private static readonly PolicyEvaluator Evaluator = Policies.FromJson("""
        {
          "tools": [
            { "match": "fs/read", "risk": "Low" },
            { "match": "fs/list", "risk": "Medium" },
            { "match": "fs/write", "risk": "High", "reason": "writing needs a person's approval" },
            { "match": "fs/delete", "risk": "Block", "reason": "deleting is not allowed here" }
          ]
        }
        """);

    private static ToolInvocationPipeline Standard(params IToolInvocationFilter[] extra)
        => new([new PolicyAssessmentFilter(Evaluator), new PolicyDecisionFilter(Evaluator, new InMemoryApprovalStore()), .. extra]);

    private static (ToolInvocationContext Context, Func<int> Invocations) Call(string name, string? arguments = null)
    {
        var context = Calls.Known(name, arguments);
        var count = 0;
        context.Invoker = (_, _) =>
        {
            count++;
            return ValueTask.FromResult(Ok("tool ran"));
        };
        return (context, () => count);
    }

    private static CallToolResult Ok(string text) => new() { Content = [new TextContentBlock { Text = text }] };

    private static string TextOf(CallToolResult result) => string.Concat(result.Content.OfType<TextContentBlock>().Select(b => b.Text));

    [Fact]
    public async Task Filters_run_by_order_then_registration()
    {
        var log = new List<string>();
        var filters = new IToolInvocationFilter[]
        {
            new RecordingFilter("assess-1", ToolInvocationFilterOrder.Assess, log),
            new RecordingFilter("record", ToolInvocationFilterOrder.Record, log),
            new RecordingFilter("assess-2", ToolInvocationFilterOrder.Assess, log),
            new RecordingFilter("identify", ToolInvocationFilterOrder.Identify, log),
            new RecordingFilter("assess-3", ToolInvocationFilterOrder.Assess, log),
        };
        var pipeline = new ToolInvocationPipeline(filters);
        var (context, _) = Call("fs/read");

        await pipeline.InvokeAsync(context);

        string[] expected = ["record", "identify", "assess-1", "assess-2", "assess-3"];
        Assert.Equal(expected, pipeline.Filters.Cast<RecordingFilter>().Select(f => f.Name));
        Assert.Equal([.. expected.Select(n => n + " in"), .. expected.Reverse().Select(n => n + " out")], log);
    }

    [Theory]
    [InlineData("fs/read")]
    [InlineData("fs/list")]
    public async Task Cleared_call_invokes_the_tool_once_and_returns_its_result(string name)
    {
        var (context, invocations) = Call(name);

        var result = await Standard().InvokeAsync(context);

        Assert.Equal("tool ran", TextOf(result));
        Assert.Equal(1, invocations());
        Assert.Same(result, context.Result);
        Assert.NotNull(context.Decision);
    }

    [Fact]
    public async Task Blocked_call_is_denied_naming_the_rule_and_reason()
    {
        var (context, invocations) = Call("fs/delete");

        var result = await Standard().InvokeAsync(context);

        Assert.True(result.IsError);
        Assert.Equal("Denied by policy (rule 'tools[3]'): deleting is not allowed here.", TextOf(result));
        Assert.Equal(0, invocations());
    }

    [Fact]
    public async Task Blocked_call_stops_at_the_assessment_step()
    {
        var log = new List<string>();
        var (context, _) = Call("fs/delete");

        await Standard(new RecordingFilter("flow", ToolInvocationFilterOrder.Flow, log)).InvokeAsync(context);

        Assert.Empty(log);
    }

    [Fact]
    public async Task High_call_without_approval_is_denied()
    {
        var (context, invocations) = Call("fs/write");

        var result = await Standard().InvokeAsync(context);

        Assert.True(result.IsError);
        Assert.Equal(
            "Denied by policy (rule 'tools[2]'): writing needs a person's approval. This call needs a human approval and no approver is configured.",
            TextOf(result));
        Assert.Equal(0, invocations());
    }

    [Fact]
    public async Task Call_without_a_decision_is_denied_as_not_evaluated()
    {
        var (context, invocations) = Call("fs/read");

        var result = await new ToolInvocationPipeline([]).InvokeAsync(context);

        Assert.True(result.IsError);
        Assert.Equal("Denied by policy (rule 'policy-not-evaluated'): no policy decision was made for this call, so it was not run.", TextOf(result));
        Assert.Equal(0, invocations());
    }

    [Fact]
    public async Task Decision_step_without_an_assessment_denies_as_not_evaluated()
    {
        var log = new List<string>();
        var (context, invocations) = Call("fs/read");

        var result = await new ToolInvocationPipeline([new PolicyDecisionFilter(Evaluator, new InMemoryApprovalStore()), new RecordingFilter("inspect", ToolInvocationFilterOrder.Inspect, log)]).InvokeAsync(context);

        Assert.Contains("'policy-not-evaluated'", TextOf(result), StringComparison.Ordinal);
        Assert.Empty(log);
        Assert.Equal(0, invocations());
    }

    [Fact]
    public async Task Filter_can_short_circuit_the_call()
    {
        var log = new List<string>();
        var (context, invocations) = Call("fs/read");
        var denial = Denials.Create("kill-switch", "all tools are paused");

        var result = await Standard(
                new ShortCircuitFilter(ToolInvocationFilterOrder.Limit, denial),
                new RecordingFilter("inspect", ToolInvocationFilterOrder.Inspect, log))
            .InvokeAsync(context);

        Assert.Same(denial, result);
        Assert.Equal("Denied by policy (rule 'kill-switch'): all tools are paused.", TextOf(result));
        Assert.Empty(log);
        Assert.Equal(0, invocations());
    }

    [Fact]
    public async Task Filter_that_short_circuits_before_the_assessment_keeps_its_result()
    {
        var (context, invocations) = Call("fs/delete");
        var own = Ok("served from cache");

        var result = await Standard(new ShortCircuitFilter(ToolInvocationFilterOrder.Identify, own)).InvokeAsync(context);

        Assert.Same(own, result);
        Assert.Null(context.Decision);
        Assert.Equal(0, invocations());
    }

    [Fact]
    public async Task Outer_filter_sees_and_can_replace_the_result()
    {
        CallToolResult? seen = null;
        var (context, _) = Call("fs/read");
        var redacted = Ok("[redacted]");

        var result = await Standard(new PostProcessingFilter(r => { seen = r; return redacted; })).InvokeAsync(context);

        Assert.Equal("tool ran", TextOf(seen!));
        Assert.Same(redacted, result);
    }

    [Fact]
    public async Task Filter_raising_the_decision_before_the_decision_step_is_enforced()
    {
        var (context, invocations) = Call("fs/read");
        var raise = new DelegateFilter(ToolInvocationFilterOrder.Flow, (ctx, next, ct) =>
        {
            ctx.Decision = new PolicyDecision(RiskLevel.High, [.. ctx.Decision!.Reasons, new PolicyReason("flow:trifecta", "private data would leave", RiskLevel.High)], ctx.Decision.PolicyVersion);
            return next(ctx, ct);
        });

        var result = await Standard(raise).InvokeAsync(context);

        Assert.StartsWith("Denied by policy (rule 'flow:trifecta'): private data would leave.", TextOf(result), StringComparison.Ordinal);
        Assert.Equal(0, invocations());
    }

    [Fact]
    public async Task Innermost_step_refuses_an_uncleared_call_even_without_the_decision_step()
    {
        var (context, invocations) = Call("fs/delete");
        var sneaky = new DelegateFilter(ToolInvocationFilterOrder.Record, (ctx, next, ct) =>
        {
            ctx.Decision = Evaluator.Evaluate(ctx);
            return next(ctx, ct);
        });

        var result = await new ToolInvocationPipeline([sneaky]).InvokeAsync(context);

        Assert.Equal("Denied by policy (rule 'tools[3]'): deleting is not allowed here.", TextOf(result));
        Assert.Equal(0, invocations());
    }

    [Theory]
    [InlineData(ToolInvocationFilterOrder.Identify)]
    [InlineData(ToolInvocationFilterOrder.Limit)]
    [InlineData(ToolInvocationFilterOrder.Inspect)]
    public async Task Throwing_filter_gives_a_denial_without_the_exception_text(int order)
    {
        var (context, invocations) = Call("fs/read");

        var result = await Standard(new DelegateFilter(order, (_, _, _) => throw new InvalidOperationException("secret detail Password=hunter2"))).InvokeAsync(context);

        Assert.True(result.IsError);
        Assert.Equal("Denied by policy (rule 'policy-error'): the policy pipeline failed while checking this call, so it was not run.", TextOf(result));
        Assert.DoesNotContain("hunter2", TextOf(result), StringComparison.Ordinal);
        Assert.Equal(0, invocations());
    }

    [Fact]
    public async Task Post_processing_filter_that_throws_withholds_the_result_instead_of_escaping()
    {
        var (context, invocations) = Call("fs/read");
        var failingAfter = new DelegateFilter(ToolInvocationFilterOrder.Record, async (ctx, next, ct) =>
        {
            await next(ctx, ct);
            throw new InvalidOperationException("sanitizer crashed: secret");
        });

        var result = await Standard(failingAfter).InvokeAsync(context);

        Assert.Equal(1, invocations());
        Assert.True(result.IsError);
        Assert.Equal("Denied by policy (rule 'policy-error'): the policy pipeline failed after the tool ran, so its result is withheld.", TextOf(result));
        Assert.True(context.ToolInvoked);
    }

    [Fact]
    public async Task Filter_failing_asynchronously_gives_a_denial()
    {
        var (context, _) = Call("fs/read");
        var failing = new DelegateFilter(ToolInvocationFilterOrder.Validate, async (_, _, _) =>
        {
            await Task.Yield();
            throw new InvalidOperationException("late failure");
        });

        var result = await Standard(failing).InvokeAsync(context);

        Assert.Contains("'policy-error'", TextOf(result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Protocol_error_from_a_filter_propagates()
    {
        var (context, _) = Call("fs/read");
        var unknown = new DelegateFilter(ToolInvocationFilterOrder.Identify, (_, _, _) => throw new McpPolicyToolException("Unknown tool: fs/read"));

        var ex = await Assert.ThrowsAsync<McpPolicyToolException>(() => Standard(unknown).InvokeAsync(context).AsTask());

        Assert.Equal("Unknown tool: fs/read", ex.Message);
    }

    [Fact]
    public async Task Cancellation_propagates()
    {
        using var cts = new CancellationTokenSource();
        var (context, _) = Call("fs/read");
        context.Invoker = async (_, ct) =>
        {
            await cts.CancelAsync();
            ct.ThrowIfCancellationRequested();
            return Ok("unreachable");
        };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Standard().InvokeAsync(context, cts.Token).AsTask());
    }

    [Fact]
    public async Task Cleared_call_without_an_invoker_is_denied()
    {
        var context = Calls.Known("fs/read");

        var result = await Standard().InvokeAsync(context);

        Assert.True(result.IsError);
        Assert.Contains("'policy-error'", TextOf(result), StringComparison.Ordinal);
    }

    [Fact]
    public void Pipeline_post_processes_results_when_any_filter_does_and_filters_are_assumed_to()
    {
        var log = new List<string>();

        Assert.False(Standard().PostProcessesResults);
        Assert.False(new ToolInvocationPipeline([]).PostProcessesResults);
        Assert.True(Standard(new PostProcessingFilter(r => r)).PostProcessesResults);
        Assert.True(Standard(new RecordingFilter("silent", 100, log)).PostProcessesResults);
        Assert.True(((IToolInvocationFilter)new RecordingFilter("silent", 100, log)).PostProcessesResults);
        Assert.False(((IToolInvocationFilter)new PolicyAssessmentFilter(Evaluator)).PostProcessesResults);
        Assert.False(((IToolInvocationFilter)new PolicyDecisionFilter(Evaluator, new InMemoryApprovalStore())).PostProcessesResults);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Tool_result_arrives_whether_the_invoker_answers_at_once_or_later(bool later)
    {
        var context = Calls.Known("fs/read");
        var answer = new TaskCompletionSource<CallToolResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        context.Invoker = (_, _) => later ? new ValueTask<CallToolResult>(answer.Task) : ValueTask.FromResult(Ok("at once"));

        var pending = Standard().InvokeAsync(context);
        Assert.Equal(!later, pending.IsCompletedSuccessfully);
        answer.SetResult(Ok("later"));
        var result = await pending;

        Assert.Equal(later ? "later" : "at once", TextOf(result));
        Assert.True(context.ToolInvoked);
    }

    [Fact]
    public async Task Invoker_that_throws_synchronously_gives_a_denial_that_withholds_nothing_it_did_not_have()
    {
        var context = Calls.Known("fs/read");
        context.Invoker = (_, _) => throw new InvalidOperationException("secret detail");

        var result = await Standard().InvokeAsync(context);

        Assert.True(result.IsError);
        Assert.Contains("'policy-error'", TextOf(result), StringComparison.Ordinal);
        Assert.DoesNotContain("secret detail", TextOf(result), StringComparison.Ordinal);
    }

    [Fact]
    public void Pipeline_requires_its_filters()
        => Assert.Throws<ArgumentNullException>(() => new ToolInvocationPipeline(null!));

    private sealed class RecordingFilter(string name, int order, List<string> log) : IToolInvocationFilter
    {
        public string Name => name;

        public int Order => order;

        public async ValueTask InvokeAsync(ToolInvocationContext context, ToolInvocationDelegate next, CancellationToken cancellationToken)
        {
            log.Add(name + " in");
            if (context.Decision is null)
            {
                context.Decision = Evaluator.Evaluate(context);
            }

            await next(context, cancellationToken);
            log.Add(name + " out");
        }
    }

    private sealed class ShortCircuitFilter(int order, CallToolResult result) : IToolInvocationFilter
    {
        public int Order => order;

        public ValueTask InvokeAsync(ToolInvocationContext context, ToolInvocationDelegate next, CancellationToken cancellationToken)
        {
            context.Result = result;
            return ValueTask.CompletedTask;
        }
    }

    private sealed class PostProcessingFilter(Func<CallToolResult, CallToolResult> replace) : IToolInvocationFilter
    {
        public int Order => ToolInvocationFilterOrder.Record;

        public async ValueTask InvokeAsync(ToolInvocationContext context, ToolInvocationDelegate next, CancellationToken cancellationToken)
        {
            await next(context, cancellationToken);
            context.Result = replace(context.Result!);
        }
    }

    private sealed class DelegateFilter(int order, Func<ToolInvocationContext, ToolInvocationDelegate, CancellationToken, ValueTask> invoke) : IToolInvocationFilter
    {
        public int Order => order;

        public ValueTask InvokeAsync(ToolInvocationContext context, ToolInvocationDelegate next, CancellationToken cancellationToken)
            => invoke(context, next, cancellationToken);
    }
}
