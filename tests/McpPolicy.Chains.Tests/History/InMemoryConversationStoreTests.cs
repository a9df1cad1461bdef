using FsCheck;
using FsCheck.Fluent;

namespace McpPolicy.Chains.Tests.History;

public sealed class InMemoryConversationStoreTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task History_is_returned_oldest_first()
    {
        var store = Store();
        await store.AppendAsync("c1", Event("a/one"));
        await store.AppendAsync("c1", Event("a/two", RiskLevel.High));
        await store.AppendAsync("c1", Event("b/three"));

        var history = await store.GetHistoryAsync("c1");

        Assert.Equal(["a/one", "a/two", "b/three"], history.Select(e => e.QualifiedName));
        Assert.Equal(RiskLevel.High, history[1].Risk);
    }

    [Fact]
    public async Task A_full_history_drops_its_oldest_calls_first()
    {
        var store = Store(maxEvents: 3);
        for (var i = 1; i <= 5; i++)
        {
            await store.AppendAsync("c1", Event($"s/t{i}"));
        }

        var history = await store.GetHistoryAsync("c1");

        Assert.Equal(["s/t3", "s/t4", "s/t5"], history.Select(e => e.QualifiedName));
    }

    [Fact]
    public async Task A_bound_of_one_keeps_only_the_last_call()
    {
        var store = Store(maxEvents: 1);
        await store.AppendAsync("c1", Event("s/a"));
        await store.AppendAsync("c1", Event("s/b"));

        Assert.Equal(["s/b"], (await store.GetHistoryAsync("c1")).Select(e => e.QualifiedName));
    }

    [Fact]
    public async Task Conversations_are_kept_apart()
    {
        var store = Store(maxEvents: 2);
        await store.AppendAsync("c1", Event("s/a"));
        await store.AppendAsync("c2", Event("s/b"));
        await store.AppendAsync("c2", Event("s/c"));
        await store.AppendAsync("c2", Event("s/d"));

        Assert.Equal(["s/a"], (await store.GetHistoryAsync("c1")).Select(e => e.QualifiedName));
        Assert.Equal(["s/c", "s/d"], (await store.GetHistoryAsync("c2")).Select(e => e.QualifiedName));
    }

    [Fact]
    public async Task Conversation_ids_are_case_sensitive()
    {
        var store = Store();
        await store.AppendAsync("Conv", Event("s/a"));

        Assert.Empty(await store.GetHistoryAsync("conv"));
    }

    [Fact]
    public async Task An_unknown_conversation_has_an_empty_history()
    {
        Assert.Empty(await Store().GetHistoryAsync("nobody"));
    }

    [Fact]
    public async Task A_returned_history_is_a_snapshot_that_later_calls_do_not_change()
    {
        var store = Store(maxEvents: 2);
        await store.AppendAsync("c1", Event("s/a"));
        var snapshot = await store.GetHistoryAsync("c1");

        await store.AppendAsync("c1", Event("s/b"));
        await store.AppendAsync("c1", Event("s/c"));

        Assert.Equal(["s/a"], snapshot.Select(e => e.QualifiedName));
    }

    [Fact]
    public async Task A_conversation_reads_as_empty_once_idle_for_the_idle_timeout()
    {
        var store = Store(idle: TimeSpan.FromMinutes(10));
        await store.AppendAsync("c1", Event("s/a"));

        _time.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromTicks(1));
        Assert.Single(await store.GetHistoryAsync("c1"));

        _time.Advance(TimeSpan.FromTicks(1));
        Assert.Empty(await store.GetHistoryAsync("c1"));
    }

    [Fact]
    public async Task Reading_does_not_keep_a_conversation_alive()
    {
        var store = Store(idle: TimeSpan.FromMinutes(10));
        await store.AppendAsync("c1", Event("s/a"));

        _time.Advance(TimeSpan.FromMinutes(6));
        await store.GetHistoryAsync("c1");
        _time.Advance(TimeSpan.FromMinutes(6));

        Assert.Empty(await store.GetHistoryAsync("c1"));
    }

    [Fact]
    public async Task Each_call_restarts_the_idle_timeout()
    {
        var store = Store(idle: TimeSpan.FromMinutes(10));
        await store.AppendAsync("c1", Event("s/a"));
        _time.Advance(TimeSpan.FromMinutes(9));
        await store.AppendAsync("c1", Event("s/b"));
        _time.Advance(TimeSpan.FromMinutes(9));

        Assert.Equal(["s/a", "s/b"], (await store.GetHistoryAsync("c1")).Select(e => e.QualifiedName));
    }

    [Fact]
    public async Task A_call_after_the_idle_timeout_starts_a_fresh_history()
    {
        var store = Store(idle: TimeSpan.FromMinutes(10));
        await store.AppendAsync("c1", Event("s/old"));
        _time.Advance(TimeSpan.FromMinutes(11));

        await store.AppendAsync("c1", Event("s/new"));

        Assert.Equal(["s/new"], (await store.GetHistoryAsync("c1")).Select(e => e.QualifiedName));
    }

    [Fact]
    public async Task Idle_conversations_are_swept_from_memory_by_later_calls_to_other_conversations()
    {
        var store = Store(idle: TimeSpan.FromMinutes(10));
        await store.AppendAsync("idle-1", Event("s/a"));
        await store.AppendAsync("idle-2", Event("s/a"));
        _time.Advance(TimeSpan.FromMinutes(5));
        await store.AppendAsync("active", Event("s/a"));
        Assert.Equal(3, store.ConversationCount);

        _time.Advance(TimeSpan.FromMinutes(6));
        await store.AppendAsync("active", Event("s/b"));

        Assert.Equal(1, store.ConversationCount);
        Assert.Equal(2, (await store.GetHistoryAsync("active")).Count);
    }

    [Fact]
    public async Task Removing_a_conversation_forgets_it_and_a_later_call_starts_afresh()
    {
        var store = Store();
        await store.AppendAsync("c1", Event("s/a"));

        await store.RemoveAsync("c1");
        Assert.Empty(await store.GetHistoryAsync("c1"));
        Assert.Equal(0, store.ConversationCount);

        await store.AppendAsync("c1", Event("s/b"));
        Assert.Equal(["s/b"], (await store.GetHistoryAsync("c1")).Select(e => e.QualifiedName));
    }

    [Fact]
    public async Task Removing_an_unknown_conversation_does_nothing()
    {
        await Store().RemoveAsync("nobody");
    }

    [Fact]
    public async Task Options_are_copied_when_the_store_is_created()
    {
        var options = new ConversationHistoryOptions { MaxEventsPerConversation = 2 };
        var store = new InMemoryConversationStore(options, _time);
        options.MaxEventsPerConversation = 100;

        for (var i = 0; i < 5; i++)
        {
            await store.AppendAsync("c1", Event("s/a"));
        }

        Assert.Equal(2, (await store.GetHistoryAsync("c1")).Count);
    }

    [Theory]
    [InlineData(0, 60)]
    [InlineData(-1, 60)]
    [InlineData(ConversationHistoryOptions.MaxEventsLimit + 1, 60)]
    [InlineData(10, 0)]
    [InlineData(10, -1)]
    public void Invalid_options_are_rejected(int maxEvents, int idleSeconds)
    {
        var options = new ConversationHistoryOptions { MaxEventsPerConversation = maxEvents, IdleTimeout = TimeSpan.FromSeconds(idleSeconds) };

        Assert.Throws<ArgumentException>(() => new InMemoryConversationStore(options, _time));
    }

    [Fact]
    public void An_idle_timeout_above_the_limit_is_rejected()
    {
        var options = new ConversationHistoryOptions { IdleTimeout = ConversationHistoryOptions.MaxIdleTimeout + TimeSpan.FromTicks(1) };

        Assert.Throws<ArgumentException>(() => new InMemoryConversationStore(options, _time));
    }

    [Fact]
    public async Task Missing_conversation_ids_and_tool_names_are_rejected()
    {
        var store = Store();

        await Assert.ThrowsAsync<ArgumentNullException>(async () => await store.AppendAsync(null!, Event("s/a")));
        await Assert.ThrowsAsync<ArgumentException>(async () => await store.AppendAsync(string.Empty, Event("s/a")));
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await store.AppendAsync("c1", default));
        await Assert.ThrowsAsync<ArgumentException>(async () => await store.GetHistoryAsync(string.Empty));
        await Assert.ThrowsAsync<ArgumentException>(async () => await store.RemoveAsync(string.Empty));
    }

    [Fact]
    public async Task A_cancelled_append_records_nothing()
    {
        var store = Store();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await store.AppendAsync("c1", Event("s/a"), cts.Token));
        Assert.Empty(await store.GetHistoryAsync("c1"));
    }

    [Fact]
    public void History_is_always_the_last_calls_up_to_the_bound()
    {
        var cases = Gen.Choose(1, 20).SelectMany(bound => Gen.Choose(0, 60).Select(count => (bound, count))).ToArbitrary();

        Prop.ForAll(cases, c =>
        {
            var store = new InMemoryConversationStore(new ConversationHistoryOptions { MaxEventsPerConversation = c.bound }, _time);
            for (var i = 0; i < c.count; i++)
            {
                store.AppendAsync("c", Event($"s/{i}")).AsTask().GetAwaiter().GetResult();
            }

            var history = store.GetHistoryAsync("c").AsTask().GetAwaiter().GetResult().Select(e => e.QualifiedName);
            var expected = Enumerable.Range(0, c.count).Select(i => $"s/{i}").TakeLast(c.bound);
            return history.SequenceEqual(expected);
        }).QuickCheckThrowOnFailure();
    }

    private InMemoryConversationStore Store(int maxEvents = 100, TimeSpan? idle = null)
        => new(new ConversationHistoryOptions { MaxEventsPerConversation = maxEvents, IdleTimeout = idle ?? TimeSpan.FromHours(1) }, _time);

    private ConversationEvent Event(string name, RiskLevel risk = RiskLevel.Low) => new(name, risk, _time.GetUtcNow());
}
