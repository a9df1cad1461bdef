namespace McpPolicy.Chains.Tests.History;

public sealed class InMemoryConversationStoreFlowTests
{
    private static readonly Func<ConversationFlowState, int, long> Count = static (state, add) =>
    {
        var rules = CompiledFlowRules.Compile(new McpPolicyOptions());
        for (var i = 0; i < add; i++)
        {
            state.Record(new FlowObservation("a/b", null, FlowLabels.UntrustedSource, DateTimeOffset.UnixEpoch, null, null), rules);
        }

        return state.CallCount;
    };

    private static readonly Func<ConversationFlowState?, int, long?> Read = static (state, _) => state?.CallCount;

    [Fact]
    public async Task Flow_state_is_created_on_first_update_and_kept_per_conversation()
    {
        var store = new InMemoryConversationStore(new ConversationHistoryOptions());

        Assert.Null(await store.ReadFlowAsync("c1", 0, Read));
        Assert.Equal(2, await store.UpdateFlowAsync("c1", 2, Count));
        Assert.Equal(3, await store.UpdateFlowAsync("c1", 1, Count));
        Assert.Equal(1, await store.UpdateFlowAsync("c2", 1, Count));

        Assert.Equal(3, await store.ReadFlowAsync("c1", 0, Read));
        Assert.Equal(1, await store.ReadFlowAsync("c2", 0, Read));
    }

    [Fact]
    public async Task Flow_state_of_an_idle_conversation_reads_as_empty_and_starts_over()
    {
        var time = new FakeTimeProvider();
        var store = new InMemoryConversationStore(new ConversationHistoryOptions { IdleTimeout = TimeSpan.FromMinutes(5) }, time);
        await store.UpdateFlowAsync("c1", 4, Count);

        time.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal(4, await store.ReadFlowAsync("c1", 0, Read));
        time.Advance(TimeSpan.FromMinutes(5));

        Assert.Null(await store.ReadFlowAsync("c1", 0, Read));
        Assert.Equal(1, await store.UpdateFlowAsync("c1", 1, Count));
    }

    [Fact]
    public async Task Removing_a_conversation_forgets_its_flow_state()
    {
        var store = new InMemoryConversationStore(new ConversationHistoryOptions());
        await store.UpdateFlowAsync("c1", 1, Count);

        await store.RemoveAsync("c1");

        Assert.Null(await store.ReadFlowAsync("c1", 0, Read));
        Assert.Null(store.PeekFlow("c1"));
    }

    [Fact]
    public async Task Idle_conversations_with_only_flow_state_are_swept()
    {
        var time = new FakeTimeProvider();
        var store = new InMemoryConversationStore(new ConversationHistoryOptions { IdleTimeout = TimeSpan.FromMinutes(1) }, time);
        await store.UpdateFlowAsync("old", 1, Count);

        time.Advance(TimeSpan.FromMinutes(2));
        await store.UpdateFlowAsync("new", 1, Count);

        Assert.Null(store.PeekFlow("old"));
        Assert.Equal(1, store.ConversationCount);
    }

    [Fact]
    public void Invalid_taint_budget_is_rejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => new InMemoryConversationStore(new ConversationHistoryOptions { MaxTaintedCharactersPerConversation = -1 }));
        Assert.Contains(nameof(ConversationHistoryOptions.MaxTaintedCharactersPerConversation), ex.Message, StringComparison.Ordinal);
    }
}
