using System.Globalization;

namespace McpPolicy.Chains.Tests.History;

public sealed class InMemoryConversationStoreConcurrencyTests
{
    private const int Writers = 8;

    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task Parallel_calls_within_the_bound_are_all_kept_in_each_writers_order()
    {
        const int perWriter = 2_000;
        var store = new InMemoryConversationStore(new ConversationHistoryOptions { MaxEventsPerConversation = Writers * perWriter }, _time);

        await RunWriters(store, "c1", perWriter);
        var history = await store.GetHistoryAsync("c1");

        Assert.Equal(Writers * perWriter, history.Count);
        Assert.Equal(Writers * perWriter, history.Select(e => e.QualifiedName).Distinct(StringComparer.Ordinal).Count());
        foreach (var sequence in SequencesByWriter(history))
        {
            Assert.Equal(Enumerable.Range(0, perWriter), sequence);
        }
    }

    [Fact]
    public async Task Parallel_calls_beyond_the_bound_keep_exactly_the_bound_and_the_latest_calls_of_each_writer()
    {
        const int perWriter = 5_000;
        const int bound = 100;
        var store = new InMemoryConversationStore(new ConversationHistoryOptions { MaxEventsPerConversation = bound }, _time);

        await RunWriters(store, "c1", perWriter);
        var history = await store.GetHistoryAsync("c1");

        Assert.Equal(bound, history.Count);
        Assert.Equal(bound, history.Select(e => e.QualifiedName).Distinct(StringComparer.Ordinal).Count());

        // The store keeps the last calls in the order it took them, so what survives of each writer is an unbroken run
        // that ends with that writer's last call: nothing inside the bound was lost or reordered.
        foreach (var sequence in SequencesByWriter(history))
        {
            Assert.Equal(Enumerable.Range(perWriter - sequence.Count, sequence.Count), sequence);
        }
    }

    [Fact]
    public async Task Calls_racing_with_sweeps_of_their_idle_conversations_are_not_lost()
    {
        const int conversations = 32;
        var idle = TimeSpan.FromMinutes(1);
        for (var round = 0; round < 200; round++)
        {
            var store = new InMemoryConversationStore(new ConversationHistoryOptions { IdleTimeout = idle }, _time);
            for (var c = 0; c < conversations; c++)
            {
                await store.AppendAsync(Id(c), new ConversationEvent("old/call", RiskLevel.Low, _time.GetUtcNow()));
            }

            _time.Advance(idle);
            var now = _time.GetTimestamp();

            // Every conversation is idle when the writers start, so a sweep may take out the very instance a writer
            // just looked up; the writer must then use the new one rather than write into the evicted one.
            using var start = new Barrier(Writers + 1);
            using var stop = new CancellationTokenSource();
            var sweeper = Task.Factory.StartNew(
                () =>
                {
                    start.SignalAndWait();
                    while (!stop.IsCancellationRequested)
                    {
                        store.SweepIdle(now);
                    }
                },
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default);
            var writers = Enumerable.Range(0, Writers).Select(w => Task.Factory.StartNew(
                () =>
                {
                    start.SignalAndWait();
                    for (var c = 0; c < conversations; c++)
                    {
                        var appended = store.AppendAsync(Id((c + (w * 5)) % conversations), new ConversationEvent($"w{w}/0", RiskLevel.Low, DateTimeOffset.UnixEpoch));
                        Assert.True(appended.IsCompletedSuccessfully);
                    }
                },
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default)).ToArray();
            await Task.WhenAll(writers);
            await stop.CancelAsync();
            await sweeper;

            for (var c = 0; c < conversations; c++)
            {
                var history = await store.GetHistoryAsync(Id(c));
                Assert.Equal(
                    Enumerable.Range(0, Writers).Select(w => $"w{w}/0"),
                    history.Select(e => e.QualifiedName).Order(StringComparer.Ordinal));
            }
        }

        static string Id(int c) => "c" + c.ToString(CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Parallel_calls_reads_and_removals_across_conversations_keep_every_bound()
    {
        const int bound = 16;
        var store = new InMemoryConversationStore(
            new ConversationHistoryOptions { MaxEventsPerConversation = bound, IdleTimeout = TimeSpan.FromSeconds(30) }, _time);

        var workers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            for (var i = 0; i < 5_000; i++)
            {
                var conversation = "c" + random.Next(10).ToString(CultureInfo.InvariantCulture);
                switch (random.Next(10))
                {
                    case 0:
                        await store.RemoveAsync(conversation);
                        break;
                    case 1:
                        _time.Advance(TimeSpan.FromSeconds(1));
                        break;
                    case < 5:
                        var history = await store.GetHistoryAsync(conversation);
                        Assert.InRange(history.Count, 0, bound);
                        break;
                    default:
                        await store.AppendAsync(conversation, new ConversationEvent($"s/{w}-{i}", RiskLevel.Low, _time.GetUtcNow()));
                        break;
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);

        for (var c = 0; c < 10; c++)
        {
            Assert.InRange((await store.GetHistoryAsync("c" + c.ToString(CultureInfo.InvariantCulture))).Count, 0, bound);
        }
    }

    private static async Task RunWriters(InMemoryConversationStore store, string conversation, int perWriter)
    {
        using var start = new Barrier(Writers);
        var writers = Enumerable.Range(0, Writers).Select(w => Task.Factory.StartNew(
            () =>
            {
                start.SignalAndWait();
                for (var i = 0; i < perWriter; i++)
                {
                    var appended = store.AppendAsync(conversation, new ConversationEvent($"w{w}/{i}", RiskLevel.Low, DateTimeOffset.UnixEpoch));
                    Assert.True(appended.IsCompletedSuccessfully);
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default)).ToArray();
        await Task.WhenAll(writers);
    }

    private static List<List<int>> SequencesByWriter(IReadOnlyList<ConversationEvent> history)
    {
        var byWriter = new List<List<int>>();
        for (var w = 0; w < Writers; w++)
        {
            var prefix = $"w{w}/";
            byWriter.Add(history
                .Where(e => e.QualifiedName.StartsWith(prefix, StringComparison.Ordinal))
                .Select(e => int.Parse(e.QualifiedName.AsSpan(prefix.Length), CultureInfo.InvariantCulture))
                .ToList());
        }

        return byWriter;
    }
}
