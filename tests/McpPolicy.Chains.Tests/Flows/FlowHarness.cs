using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Chains.Tests.Flows;

/// <summary>The McpPolicy pipeline as DI builds it, with flow rules, driven call by call like a recorded trace.</summary>
internal sealed class FlowHarness : IAsyncDisposable
{
    private readonly ServiceProvider _provider;

    private FlowHarness(ServiceProvider provider, FakeTimeProvider time)
    {
        _provider = provider;
        Time = time;
        Pipeline = provider.GetRequiredService<ToolInvocationPipeline>();
        Store = provider.GetRequiredService<IConversationStore>();
    }

    /// <summary>The servers the harness trusts, so their tools' closed hints keep the base risk Low and derive no labels.</summary>
    public static readonly string[] TrustedServers = ["a", "b", "c", "n", "web", "secrets", "http", "notes", "docs", "bank", "email", "mail", "trusted"];

    /// <summary>Hints of a read-only, closed-world tool.</summary>
    public static readonly ToolHints Closed = new(ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false);

    public FakeTimeProvider Time { get; }

    public ToolInvocationPipeline Pipeline { get; }

    public IConversationStore Store { get; }

    public IServiceProvider Services => _provider;

    public static FlowHarness Create(Action<McpPolicyOptions>? policy = null, Action<FlowRulesBuilder>? flows = null, IConversationStore? store = null, Action<ConversationHistoryOptions>? history = null)
    {
        var time = new FakeTimeProvider();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        if (store is not null)
        {
            services.AddSingleton(store);
        }

        if (history is not null)
        {
            services.Configure(history);
        }

        services.AddMcpPolicy(o =>
        {
            o.Defaults.Risk = RiskLevel.Low;
            foreach (var id in TrustedServers)
            {
                o.Servers[id] = new ServerPolicy { Trusted = true };
            }

            policy?.Invoke(o);
        }).AddFlowRules(flows);
        return new FlowHarness(services.BuildServiceProvider(), time);
    }

    /// <summary>A known tool with no annotation hints (so the worst case: open world, destructive) unless given.</summary>
    public static ToolDescriptor Tool(string name, ToolHints hints = default, params object[] metadata) => new(name) { Hints = hints, Metadata = metadata };

    /// <summary>Runs one call; the tool returns <paramref name="result"/> as a text block.</summary>
    public async Task<ToolInvocationContext> CallAsync(string qualifiedName, string arguments = "{}", string? result = null, string conversation = "c1", ToolDescriptor? tool = null, string? requestId = null)
    {
        var slash = qualifiedName.IndexOf('/', StringComparison.Ordinal);
        var server = qualifiedName[..slash];
        var name = qualifiedName[(slash + 1)..];
        var context = new ToolInvocationContext(server, name, ToolArguments.Parse(arguments), tool ?? Tool(name, Closed))
        {
            ConversationId = conversation,
            RequestId = requestId,
            Invoker = static (ctx, _) => ValueTask.FromResult((CallToolResult)ctx.InvokerState!),
            InvokerState = new CallToolResult { Content = [new TextContentBlock { Text = result ?? "ok" }] },
        };
        await Pipeline.InvokeAsync(context);
        return context;
    }

    public ValueTask DisposeAsync() => _provider.DisposeAsync();
}
