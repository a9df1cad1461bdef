using ModelContextProtocol.Protocol;

namespace McpPolicy.Chains.Tests.History;

public sealed class ConversationHistoryFilterTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly InMemoryConversationStore _store;
    private readonly ConversationHistoryFilter _filter;

    public ConversationHistoryFilterTests()
    {
        _store = new InMemoryConversationStore(new ConversationHistoryOptions(), _time);
        _filter = new ConversationHistoryFilter(_store, _time);
    }

    [Fact]
    public void It_runs_just_inside_the_audit_record_step()
    {
        Assert.Equal(ToolInvocationFilterOrder.Record + 1, _filter.Order);
        Assert.True(_filter.Order < ToolInvocationFilterOrder.Identify);
    }

    [Fact]
    public async Task A_call_is_recorded_after_the_rest_of_the_pipeline_with_its_decision_risk_and_time()
    {
        var context = new ToolInvocationContext("github", "create_issue") { ConversationId = "conv-1" };
        IReadOnlyList<ConversationEvent>? seenInside = null;

        await _filter.InvokeAsync(
            context,
            async (ctx, ct) =>
            {
                seenInside = await _store.GetHistoryAsync("conv-1", ct);
                _time.Advance(TimeSpan.FromSeconds(3));
                ctx.Decision = new PolicyDecision(RiskLevel.Medium, [], "v1");
                ctx.Result = new CallToolResult();
            },
            CancellationToken.None);

        Assert.Empty(seenInside!);
        var recorded = Assert.Single(await _store.GetHistoryAsync("conv-1"));
        Assert.Equal(new ConversationEvent("github/create_issue", RiskLevel.Medium, _time.GetUtcNow()), recorded);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public async Task A_call_without_a_conversation_is_recorded_in_the_default_conversation(string? conversationId)
    {
        var context = new ToolInvocationContext("fs", "read") { ConversationId = conversationId };

        await _filter.InvokeAsync(context, Allow(RiskLevel.Low), CancellationToken.None);

        Assert.Equal("default", ConversationHistoryFilter.DefaultConversationId);
        Assert.Equal("fs/read", Assert.Single(await _store.GetHistoryAsync(ConversationHistoryFilter.DefaultConversationId)).QualifiedName);
    }

    [Fact]
    public async Task A_denied_call_is_recorded_with_its_blocking_risk()
    {
        var context = new ToolInvocationContext("shell", "exec") { ConversationId = "c" };

        await _filter.InvokeAsync(context, Allow(RiskLevel.Block), CancellationToken.None);

        Assert.Equal(RiskLevel.Block, Assert.Single(await _store.GetHistoryAsync("c")).Risk);
    }

    [Fact]
    public async Task A_call_that_never_got_a_decision_is_recorded_as_blocked()
    {
        var context = new ToolInvocationContext("shell", "exec") { ConversationId = "c" };

        await _filter.InvokeAsync(context, (_, _) => ValueTask.CompletedTask, CancellationToken.None);

        Assert.Equal(RiskLevel.Block, Assert.Single(await _store.GetHistoryAsync("c")).Risk);
    }

    [Fact]
    public async Task A_call_whose_pipeline_throws_is_still_recorded_and_the_exception_is_not_swallowed()
    {
        var context = new ToolInvocationContext("fs", "write") { ConversationId = "c" };

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await _filter.InvokeAsync(
            context,
            (ctx, _) =>
            {
                ctx.Decision = new PolicyDecision(RiskLevel.High, [], "v1");
                throw new InvalidOperationException("tool failed");
            },
            CancellationToken.None));

        Assert.Equal(RiskLevel.High, Assert.Single(await _store.GetHistoryAsync("c")).Risk);
    }

    [Fact]
    public void The_conversation_of_a_call_is_its_conversation_id()
    {
        Assert.Equal("abc", ConversationHistoryFilter.ConversationIdOf(new ToolInvocationContext("s", "t") { ConversationId = "abc" }));
    }

    private static ToolInvocationDelegate Allow(RiskLevel risk) => (ctx, _) =>
    {
        ctx.Decision = new PolicyDecision(risk, [], "v1");
        return ValueTask.CompletedTask;
    };
}
