namespace McpPolicy.Tokens.Tests.TestSupport;

/// <summary>The test server itself: tests that use it must not fail for reasons of its own.</summary>
public sealed class LoopbackHttpServerTests
{
    [Fact]
    public async Task Disposal_that_stops_the_listener_just_before_the_loop_accepts_ends_the_loop_cleanly()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var server = new LoopbackHttpServer(_ => new LoopbackResponse(200, "ok"), beforeAccept: async () =>
        {
            entered.TrySetResult();
            await release.Task;
        });
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // The loop has checked for a stop and waits just before accepting; disposal stops the listener, then waits for the loop.
        var disposing = server.DisposeAsync().AsTask();
        release.SetResult();

        await disposing.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
