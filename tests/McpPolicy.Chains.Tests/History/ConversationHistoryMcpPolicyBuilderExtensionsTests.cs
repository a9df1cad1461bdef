using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Chains.Tests.History;

public sealed class ConversationHistoryMcpPolicyBuilderExtensionsTests
{
    [Fact]
    public async Task Calls_through_the_pipeline_are_recorded_in_their_conversation()
    {
        var time = new FakeTimeProvider();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddMcpPolicy().AddConversationHistory(o => o.MaxEventsPerConversation = 2);
        await using var provider = services.BuildServiceProvider();
        var pipeline = provider.GetRequiredService<ToolInvocationPipeline>();

        var known = Call("fs", "read", "c1", new ToolDescriptor("read"));
        await pipeline.InvokeAsync(known);
        await pipeline.InvokeAsync(Call("fs", "unlisted", "c1", descriptor: null));
        await pipeline.InvokeAsync(Call("fs", "read", "c1", new ToolDescriptor("read")));

        var history = await provider.GetRequiredService<IConversationStore>().GetHistoryAsync("c1");
        Assert.Equal(["fs/unlisted", "fs/read"], history.Select(e => e.QualifiedName));
        Assert.Equal(RiskLevel.Block, history[0].Risk);
        Assert.Equal(known.Decision!.Risk, history[1].Risk);
        Assert.Equal(time.GetUtcNow(), history[1].Timestamp);
        Assert.Contains(pipeline.Filters, f => f is ConversationHistoryFilter);
    }

    [Fact]
    public void Adding_history_twice_registers_one_filter()
    {
        var services = new ServiceCollection();
        services.AddMcpPolicy().AddConversationHistory().AddConversationHistory();
        using var provider = services.BuildServiceProvider();

        Assert.Single(provider.GetRequiredService<ToolInvocationPipeline>().Filters, f => f is ConversationHistoryFilter);
    }

    [Fact]
    public void A_store_registered_by_the_host_is_used_instead_of_the_in_memory_one()
    {
        var custom = new InMemoryConversationStore(new ConversationHistoryOptions());
        var services = new ServiceCollection();
        services.AddSingleton<IConversationStore>(custom);
        services.AddMcpPolicy().AddConversationHistory();
        using var provider = services.BuildServiceProvider();

        Assert.Same(custom, provider.GetRequiredService<IConversationStore>());
    }

    [Fact]
    public void Invalid_options_fail_validation()
    {
        var services = new ServiceCollection();
        services.AddMcpPolicy().AddConversationHistory(o => o.MaxEventsPerConversation = 0);
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IConversationStore>());
        Assert.Contains(nameof(ConversationHistoryOptions.MaxEventsPerConversation), ex.Message, StringComparison.Ordinal);
    }

    private static ToolInvocationContext Call(string server, string tool, string conversation, ToolDescriptor? descriptor) =>
        new(server, tool, tool: descriptor)
        {
            ConversationId = conversation,
            Invoker = static (_, _) => ValueTask.FromResult(new CallToolResult()),
        };
}
