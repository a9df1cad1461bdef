using ModelContextProtocol.Protocol;

namespace McpPolicy.Core.Tests.Control;

public sealed class KillSwitchConcurrencyTests
{
    private const int Threads = 8;
    private const int CallsPerThread = 2_000;

    [Theory]
    [InlineData("all", "fs/write_file")]
    [InlineData("server:fs", "fs/write_file")]
    [InlineData("fs/write_*", "fs/write_file")]
    public async Task Kill_switch_flipped_under_load_denies_every_call_that_starts_after_the_flip(string scope, string tool)
    {
        using var h = new ControlHarness(ControlHarness.Policy("""{ "defaults": { "risk": "Low" }, "limits": { "perTool": { "*/*": { "concurrency": 1000 } } } }"""));
        var sequence = 0L;
        var flipAt = long.MaxValue;
        var perThread = new List<(long Start, CallToolResult Result)>[Threads];
        using var start = new Barrier(Threads);

        var workers = Enumerable.Range(0, Threads).Select(t => Task.Factory.StartNew(
            () =>
            {
                var mine = perThread[t] = new List<(long, CallToolResult)>(CallsPerThread);
                start.SignalAndWait();

                // M calls each, and on until the flip has happened, so every thread makes calls on both sides of it.
                for (var i = 0; i < CallsPerThread || Volatile.Read(ref flipAt) == long.MaxValue; i++)
                {
                    if (t == 0 && i == CallsPerThread / 3)
                    {
                        h.KillSwitch.Disable(KillSwitchScope.Parse(scope), "flipped under load");
                        Volatile.Write(ref flipAt, Interlocked.Increment(ref sequence));
                    }

                    // A call's stamp is taken before it enters the pipeline; a stamp above the flip's was taken after Disable returned.
                    var stamp = Interlocked.Increment(ref sequence);
                    mine.Add((stamp, h.CallAsync(tool).AsTask().GetAwaiter().GetResult()));
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default)).ToArray();

        await Task.WhenAll(workers);
        var results = perThread.SelectMany(r => r).ToList();

        var after = results.Where(r => r.Start > flipAt).ToList();
        var before = results.Where(r => r.Start < flipAt).ToList();
        Assert.True(results.Count >= Threads * CallsPerThread);
        Assert.True(after.Count >= CallsPerThread * 2 / 3);
        Assert.Contains(before, r => r.Result.IsError != true);
        Assert.All(after, r => Assert.Equal("killswitch:" + KillSwitchScope.Parse(scope).Text, ControlAssert.RuleId(r.Result)));

        // Every call either ran or was denied by the kill switch, and the tool ran exactly as often as a call was let through.
        Assert.All(results, r => Assert.True(r.Result.IsError != true || ControlAssert.RuleId(r.Result).StartsWith("killswitch:", StringComparison.Ordinal)));
        Assert.Equal(results.Count(r => r.Result.IsError != true), h.Invocations);
    }
}
