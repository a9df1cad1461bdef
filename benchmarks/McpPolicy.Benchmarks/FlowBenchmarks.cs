using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using McpPolicy.Chains;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Benchmarks;

/// <summary>
/// The flow check of one call (<see cref="FlowRuleFilter"/> before the tool runs: labels, the untrusted → private → sink
/// rule, two chains, and the taint scan of about 1 KB of arguments) in a conversation whose history holds
/// <see cref="History"/> earlier calls, every other one an untrusted source with a 200-character result. The history
/// was recorded through the real pipeline; the tainted-text budget is the default (32,768 characters), so beyond a
/// few hundred calls the oldest results have been evicted and the index stays the same size.
/// </summary>
[MemoryDiagnoser]
public class FlowBenchmarks
{
    /// <summary>How many tainted calls, each with text of a different source, <see cref="CheckTaintedNew"/> cycles through.</summary>
    private const int FreshSources = 5;

    private static readonly ToolInvocationDelegate Next = static (_, _) => ValueTask.CompletedTask;

    private FlowRuleFilter _filter = null!;
    private ToolInvocationContext _clean = null!;
    private ToolInvocationContext _tainted = null!;
    private ToolInvocationContext _small = null!;
    private ToolInvocationContext[] _fresh = null!;
    private int _nextFresh;
    private PolicyDecision _low = null!;
    private ServiceProvider _provider = null!;

    [Params(10, 1_000, 10_000)]
    public int History { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        (_provider, _filter) = FlowScenario.Build();
        var pipeline = _provider.GetRequiredService<ToolInvocationPipeline>();

        var random = new Random(42);
        var lastUntrusted = "";
        var untrustedResults = new List<string>();
        for (var i = 0; i < History; i++)
        {
            var untrusted = i % 2 == 0;
            var result = untrusted ? Words(random, 200) : "ok";
            lastUntrusted = untrusted ? result : lastUntrusted;
            if (untrusted)
            {
                untrustedResults.Add(result);
            }
            var context = Context(untrusted ? "web" : "notes", untrusted ? "fetch" : "list", "{}");
            context.Invoker = static (ctx, _) => ValueTask.FromResult((CallToolResult)ctx.InvokerState!);
            context.InvokerState = new CallToolResult { Content = [new TextContentBlock { Text = result }] };
            pipeline.InvokeAsync(context).AsTask().GetAwaiter().GetResult();
        }

        _low = new PolicyDecision(RiskLevel.Low, [new PolicyReason("defaults.risk", "default", RiskLevel.Low)], "bench");
        _clean = Context("http", "post", Arguments(Words(random, 1000)));
        _tainted = Context("http", "post", Arguments(Words(random, 900) + " " + lastUntrusted[..40]));
        _small = Context("http", "post", Arguments("hi"));
        Check(_clean, RiskLevel.Low);
        Check(_tainted, RiskLevel.High);

        // One more source than the tool keeps taint reasons for, called in turn: every call builds its reason afresh.
        _fresh = untrustedResults.TakeLast(FreshSources).Select(r => Context("http", "post", Arguments(Words(random, 900) + " " + r[..40]))).ToArray();
        foreach (var context in _fresh)
        {
            Check(context, RiskLevel.High);
        }
    }


    [GlobalCleanup]
    public void Cleanup() => _provider.Dispose();

    /// <summary>Nothing matches: the call's decision is left as it was.</summary>
    [Benchmark(Baseline = true)]
    public ValueTask CheckClean()
    {
        _clean.Decision = _low;
        return _filter.InvokeAsync(_clean, Next, CancellationToken.None);
    }

    /// <summary>The same call with a 2-character body (too short to scan): what the check costs besides the body's scan.</summary>
    [Benchmark]
    public ValueTask CheckShortBody()
    {
        _small.Decision = _low;
        return _filter.InvokeAsync(_small, Next, CancellationToken.None);
    }

    /// <summary>The last argument carries 40 characters of the latest untrusted result: a taint reason raises the call to High.</summary>
    [Benchmark]
    public ValueTask CheckTainted()
    {
        _tainted.Decision = _low;
        return _filter.InvokeAsync(_tainted, Next, CancellationToken.None);
    }

    /// <summary>
    /// Like <see cref="CheckTainted"/>, but five calls with different bodies, each carrying text of another source, in turn:
    /// the tool keeps the reasons of the last four, so every call builds its reason (JSON Pointer, message) and raised
    /// decision afresh, and the scan does not see the same input twice in a row.
    /// </summary>
    [Benchmark]
    public ValueTask CheckTaintedNew()
    {
        var context = _fresh[_nextFresh];
        _nextFresh = _nextFresh == _fresh.Length - 1 ? 0 : _nextFresh + 1;
        context.Decision = _low;
        return _filter.InvokeAsync(context, Next, CancellationToken.None);
    }

    private void Check(ToolInvocationContext context, RiskLevel expected)
    {
        context.Decision = _low;
        _filter.InvokeAsync(context, Next, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        if (context.Decision!.Risk != expected)
        {
            throw new InvalidOperationException($"scenario broken: expected {expected}, got {context.Decision}");
        }
    }

    // One descriptor per tool, as a server's tool list gives: the flow rules resolve a tool's plan once per descriptor.
    private static readonly Dictionary<string, ToolDescriptor> Descriptors = new(StringComparer.Ordinal);

    private static ToolInvocationContext Context(string server, string tool, string arguments)
    {
        if (!Descriptors.TryGetValue(server + "/" + tool, out var descriptor))
        {
            descriptor = new ToolDescriptor(tool) { Hints = new ToolHints(true, false, true, false) };
            Descriptors[server + "/" + tool] = descriptor;
        }

        return new(server, tool, ToolArguments.Parse(arguments), descriptor)
        {
            ConversationId = "bench",
        };
    }

    /// <summary>About 1 KB of arguments: a URL, a subject and a body of <paramref name="body"/>.</summary>
    private static string Arguments(string body)
        => JsonSerializer.Serialize(new Dictionary<string, string> { ["url"] = "https://api.example.com/v1/messages", ["subject"] = "weekly status report", ["body"] = body });

    private static string Words(Random random, int length)
    {
        var sb = new StringBuilder(length + 12);
        while (sb.Length < length)
        {
            var word = random.Next(2, 10);
            for (var i = 0; i < word; i++)
            {
                sb.Append((char)('a' + random.Next(26)));
            }

            sb.Append(' ');
        }

        return sb.ToString(0, length);
    }
}

/// <summary>The parts of the taint scan on 1 KB of text, to see where <see cref="FlowBenchmarks"/> spends its time.</summary>
[MemoryDiagnoser]
public class FlowTaintPartsBenchmarks
{
    private string _text = null!;
    private string _lines = null!;
    private char[] _buffer = null!;
    private TaintIndex _index = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        var words = new System.Text.StringBuilder();
        while (words.Length < 40_000)
        {
            words.Append((char)('a' + random.Next(26)));
            if (random.Next(6) == 0)
            {
                words.Append(' ');
            }
        }

        var all = words.ToString();
        _text = all[..1000];
        _lines = string.Concat(_text.Chunk(80).Select(line => new string(line) + "\r\n"))[..1000];
        _buffer = new char[1000];
        _index = new TaintIndex(12, 32 * 1024);
        for (var i = 1000; i + 200 <= all.Length; i += 200)
        {
            _index.Add(all.AsSpan(i, 200), new McpPolicy.Chains.FlowCall(i, "web/fetch", null));
        }
    }

    /// <summary>Case folding and white-space collapsing of 1,000 characters.</summary>
    [Benchmark]
    public int Normalize1K() => TaintText.Normalize(_text, _buffer);

    /// <summary>The same 1,000 characters with a line break (CR LF) every 80: the white space is collapsed, not only lower-cased.</summary>
    [Benchmark]
    public int Normalize1KLines() => TaintText.Normalize(_lines, _buffer);

    /// <summary>Probes every <see cref="TaintIndex.ProbeStride"/> characters over 1,000 normalized characters against a full index (no hit).</summary>
    [Benchmark]
    public McpPolicy.Chains.FlowCall? Find1K() => _index.Find(_text);
}

/// <summary>
/// The flow setup <see cref="FlowBenchmarks"/> and <see cref="ScalingArgumentBenchmarks"/> share: web is an untrusted source, http an
/// external sink whose <c>body</c> is a High taint argument, notes neutral, and two chains; built through the public registration API.
/// </summary>
internal static class FlowScenario
{
    public static (ServiceProvider Provider, FlowRuleFilter Filter) Build()
    {
        var services = new ServiceCollection();
        services.AddMcpPolicy(o =>
        {
            o.Defaults.Risk = RiskLevel.Low;
            o.Servers["web"] = new ServerPolicy { Trusted = true };
            o.Servers["http"] = new ServerPolicy { Trusted = true };
            o.Servers["notes"] = new ServerPolicy { Trusted = true };
            o.Labels["web/*"] = FlowLabels.UntrustedSource;
            o.Labels["http/*"] = FlowLabels.ExternalSink;
            o.Labels["notes/*"] = FlowLabels.None;
            o.Flows.Taint.Arguments["http/post"] = new Dictionary<string, RiskLevel> { ["body"] = RiskLevel.High };
        }).AddFlowRules(f => f
            .Chain("search-then-post", c => c.Then("web/search").Then("notes/*").Then("http/post").WithinCalls(20))
            .Chain("read-then-post", c => c.Then("notes/read").Then("http/post").Risk(RiskLevel.Medium)));
        var provider = services.BuildServiceProvider();
        return (provider, provider.GetRequiredService<ToolInvocationPipeline>().Filters.OfType<FlowRuleFilter>().Single());
    }
}
