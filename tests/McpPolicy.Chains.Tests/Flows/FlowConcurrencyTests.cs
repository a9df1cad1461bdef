namespace McpPolicy.Chains.Tests.Flows;

public sealed class FlowConcurrencyTests
{
    [Fact]
    public async Task Concurrent_calls_in_one_conversation_are_all_recorded_and_all_their_results_are_tainted()
    {
        const int Calls = 400;
        await using var h = FlowHarness.Create(
            o =>
            {
                o.Labels["web/*"] = FlowLabels.UntrustedSource;
                o.Flows.Taint.Risk = RiskLevel.High;
            },
            history: o => o.MaxTaintedCharactersPerConversation = 1 << 20);

        await Task.WhenAll(Enumerable.Range(0, Calls).Select(i => Task.Run(async () =>
        {
            await h.CallAsync("web/fetch", result: $"document number {i:D6} says hello", conversation: "shared");
            await h.CallAsync("notes/list", conversation: "shared");
            await h.CallAsync("web/fetch", result: "other " + i, conversation: "other-" + (i % 8));
        })));

        var state = ((InMemoryConversationStore)h.Store).PeekFlow("shared")!;
        Assert.Equal(2 * Calls, state.CallCount);
        for (var i = 0; i < Calls; i += 37)
        {
            var check = await h.CallAsync("notes/write", $$"""{ "t": "NUMBER {{i:D6}} SAYS" }""", conversation: "shared");
            Assert.Equal(RiskLevel.High, check.Decision!.Risk);
        }

        Assert.Equal(Calls / 8, ((InMemoryConversationStore)h.Store).PeekFlow("other-3")!.CallCount);
    }
}
