using System.Globalization;
using McpPolicy.Chains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Benchmarks;

/// <summary>
/// The <c>measure-conversation-memory</c> mode: memory retained per conversation by the default in-memory state, as a host
/// builds it (<c>AddMcpPolicy</c> with a per-conversation call budget, <c>AddFlowRules</c> and <c>AddConversationHistory</c>,
/// which share one <see cref="InMemoryConversationStore"/>: call history, flow state and the taint index; plus the
/// <see cref="LimitFilter"/>'s budget counters). Each case drives its calls through the real pipeline (every other call an
/// untrusted <c>web/fetch</c> whose 200-character result is fingerprinted for taint), forces a full compacting GC and divides
/// the growth of the managed heap by the number of conversations. Prints one JSON line per case, then one with the configured
/// per-conversation bounds.
/// </summary>
internal static class ConversationMemoryMeasure
{
    private const int ResultCharacters = 200;

    public static int Run()
    {
        // Warm up once so that code, static caches and pools do not count against the first case.
        _ = MeasureCase(conversations: 100, calls: 10, untrusted: true);
        var cases = new (string Name, int Conversations, int Calls, bool Untrusted)[]
        {
            ("10 calls", 10_000, 10, true),
            ("10 calls, none untrusted", 10_000, 10, false),
            ("100 calls", 1_000, 100, true),
            ("taint budget full", 100, 2 * ((32 * 1024 / ResultCharacters) + 1), true),
        };
        foreach (var (name, conversations, calls, untrusted) in cases)
        {
            var bytes = MeasureCase(conversations, calls, untrusted);
            var untrustedResults = untrusted ? (calls + 1) / 2 : 0;
            var perConversation = (double)bytes / conversations;
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $$"""{"case":"{{name}}","conversations":{{conversations}},"callsPerConversation":{{calls}},"untrustedResultsPerConversation":{{untrustedResults}},"untrustedCharactersPerConversation":{{untrustedResults * ResultCharacters}},"bytesPerConversation":{{Math.Round(perConversation)}},"retainedBytes":{{bytes}}}"""));
        }

        var defaults = new ConversationHistoryOptions();
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $$"""{"case":"bounds","maxEventsPerConversation":{{defaults.MaxEventsPerConversation}},"maxTaintedCharactersPerConversation":{{defaults.MaxTaintedCharactersPerConversation}},"idleTimeoutSeconds":{{defaults.IdleTimeout.TotalSeconds}},"documentedBytesPerTaintedCharacterAtMost":56,"dotnet":"{{Environment.Version}}"}"""));
        return 0;
    }

    /// <summary>
    /// Bytes of managed heap retained after <paramref name="conversations"/> conversations of <paramref name="calls"/> calls each;
    /// every other call is an untrusted fetch when <paramref name="untrusted"/> is true, else every call is a trusted save.
    /// </summary>
    private static long MeasureCase(int conversations, int calls, bool untrusted)
    {
        var random = new Random(42);

        // The untrusted results, made before the baseline so that only what the store keeps of them counts.
        var results = new CallToolResult[Math.Min(200, (calls + 1) / 2)];
        for (var i = 0; i < results.Length; i++)
        {
            results[i] = new CallToolResult { Content = [new TextContentBlock { Text = ScalingText.Words(random, ResultCharacters) }] };
        }

        var ok = new CallToolResult { Content = [new TextContentBlock { Text = "ok" }] };
        var services = new ServiceCollection();
        services.AddMcpPolicy(o =>
        {
            o.Defaults.Risk = RiskLevel.Low;
            o.Servers["web"] = new ServerPolicy { Trusted = true };
            o.Servers["notes"] = new ServerPolicy { Trusted = true };
            o.Servers["http"] = new ServerPolicy { Trusted = true };
            o.Labels["web/*"] = FlowLabels.UntrustedSource;
            o.Labels["http/*"] = FlowLabels.ExternalSink;
            o.Labels["notes/*"] = FlowLabels.None;
            o.Limits.PerConversation.MaxCalls = 1_000_000;
        })
            .AddFlowRules(f => f.Chain("fetch-then-post", c => c.Then("web/fetch").Then("notes/*").Then("http/post").WithinCalls(20)))
            .AddConversationHistory();
        using var provider = services.BuildServiceProvider();
        var pipeline = provider.GetRequiredService<ToolInvocationPipeline>();
        _ = provider.GetRequiredService<IOptions<ConversationHistoryOptions>>().Value;
        var fetch = new ToolDescriptor("fetch") { Hints = new ToolHints(ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: true) };
        var save = new ToolDescriptor("save") { Hints = new ToolHints(ReadOnly: false, Destructive: false, Idempotent: false, OpenWorld: false) };
        var fetchArguments = ToolArguments.Parse("""{"url":"https://example.com/article"}""");
        var saveArguments = ToolArguments.Parse("""{"title":"reading list","text":"summary of the article"}""");

        // One call first, so the pipeline's own lazily built state exists before the baseline.
        Call(pipeline, "web", "baseline", 0, fetchArguments, fetch, results[0]);
        var before = Heap();
        var result = 0;
        for (var c = 0; c < conversations; c++)
        {
            var id = "conversation-" + c.ToString(CultureInfo.InvariantCulture);
            for (var i = 0; i < calls; i++)
            {
                if (untrusted && i % 2 == 0)
                {
                    Call(pipeline, "web", id, i, fetchArguments, fetch, results[result++ % results.Length]);
                }
                else
                {
                    Call(pipeline, "notes", id, i, saveArguments, save, ok);
                }
            }
        }

        var after = Heap();
        GC.KeepAlive(pipeline);
        GC.KeepAlive(provider);
        return after - before;
    }

    private static void Call(ToolInvocationPipeline pipeline, string server, string conversation, int i, ToolArguments arguments, ToolDescriptor tool, CallToolResult result)
    {
        var context = new ToolInvocationContext(server, tool.Name, arguments, tool)
        {
            RequestId = i.ToString(CultureInfo.InvariantCulture),
            ConversationId = conversation,
            InvokerState = result,
        };
        context.Invoker = static (ctx, _) => ValueTask.FromResult((CallToolResult)ctx.InvokerState!);
        pipeline.InvokeAsync(context).AsTask().GetAwaiter().GetResult();
        if (!context.ToolInvoked)
        {
            throw new InvalidOperationException($"scenario broken: {context.QualifiedName} in {conversation} was not run: {context.Decision}");
        }
    }

    private static long Heap()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
