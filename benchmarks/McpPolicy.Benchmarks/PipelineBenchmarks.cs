using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using McpPolicy.Chains;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Benchmarks;

/// <summary>
/// One LOW call through the whole per-call pipeline as a host builds it with the public registration API
/// (<c>AddMcpPolicy</c> + <c>AddSchemaValidation</c> + <c>AddFlowRules</c> + <c>AddAudit</c>, limits in the policy):
/// kill switch, argument schema validation, risk assessment and decision, the flow check (labels, two chains, the taint
/// scan of the arguments against a conversation that already holds untrusted results), limits (a per-minute rate, a
/// concurrency limit and a conversation call budget, none of them reached) and the audit record with its in-memory enqueue
/// (a sink that discards records, as in <see cref="AuditOverheadBenchmarks"/>). The tool answers at once with a ready
/// result and there is no MCP transport: the numbers are the policy's own cost per call. <see cref="Without"/> drops one
/// stage at a time (<c>none</c>: every stage).
/// </summary>
[MemoryDiagnoser]
public class PipelineBenchmarks
{
    private const string Conversation = "conversation-1";

    private static readonly string[] Tags = ["planning", "weekly", "team"];

    private static readonly CallToolResult Result = new() { Content = [new TextContentBlock { Text = "created note 8f3a2c" }] };

    private ServiceProvider _provider = null!;
    private ToolInvocationPipeline _pipeline = null!;
    private ToolArguments _arguments = null!;
    private ToolDescriptor _tool = null!;

    /// <summary>The stage left out: <c>none</c> (the full pipeline), <c>schema</c>, <c>flow</c>, <c>limits</c> or <c>audit</c>.</summary>
    [Params("none", "schema", "flow", "limits", "audit")]
    public string Without { get; set; } = "none";

    /// <summary>The call's arguments as JSON (about 600 bytes).</summary>
    internal static string ArgumentsJson { get; } = BuildArguments();

    [GlobalSetup]
    public void Setup()
    {
        var services = new ServiceCollection();
        var builder = services.AddMcpPolicy(o =>
        {
            o.Defaults.Risk = RiskLevel.Medium;
            o.Servers["notes"] = new ServerPolicy { Trusted = true };
            o.Servers["web"] = new ServerPolicy { Trusted = true };
            o.Servers["http"] = new ServerPolicy { Trusted = true };
            o.Tools.Add(new ToolPolicy("notes/create_note", RiskLevel.Low));
            o.Tools.Add(new ToolPolicy("web/fetch", RiskLevel.Low));
            o.Tools.Add(new ToolPolicy("http/*", RiskLevel.Medium));
            if (Without != "flow")
            {
                o.Labels["web/*"] = FlowLabels.UntrustedSource;
                o.Labels["http/*"] = FlowLabels.ExternalSink;
                o.Labels["notes/*"] = FlowLabels.None;
                o.Flows.Taint.Arguments["http/post"] = new Dictionary<string, RiskLevel> { ["body"] = RiskLevel.High };
            }

            if (Without != "limits")
            {
                // Limits that hold for every call of the run: the rate refills faster than calls arrive.
                o.Limits.PerTool["notes/*"] = new ToolLimitPolicy { PerMinute = 100_000_000, Concurrency = 16 };
                o.Limits.PerConversation.MaxCalls = int.MaxValue;
            }
        });
        if (Without != "schema")
        {
            builder.AddSchemaValidation();
        }

        if (Without != "flow")
        {
            builder.AddFlowRules(f => f
                .Chain("fetch-then-post", c => c.Then("web/fetch").Then("notes/*").Then("http/post").WithinCalls(20))
                .Chain("note-then-post", c => c.Then("notes/create_note").Then("http/post").Risk(RiskLevel.Medium)));
        }

        if (Without != "audit")
        {
            builder.AddAudit(o => o.LogRecords = false).AddAuditSink(new DiscardingSink());
        }

        _provider = services.BuildServiceProvider();
        _pipeline = _provider.GetRequiredService<ToolInvocationPipeline>();
        _arguments = ToolArguments.Parse(ArgumentsJson);
        _tool = new ToolDescriptor("create_note")
        {
            InputSchema = NoteSchema(),
            Hints = new ToolHints(ReadOnly: false, Destructive: false, Idempotent: false, OpenWorld: false),
        };

        // The conversation so far: ten calls, every other one a web fetch whose 200-character result feeds the taint index.
        var random = new Random(7);
        var fetch = new ToolDescriptor("fetch") { Hints = new ToolHints(ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: true) };
        for (var i = 0; i < 10; i++)
        {
            var context = i % 2 == 0
                ? new ToolInvocationContext("web", "fetch", ToolArguments.Parse("""{"url":"https://example.com/page"}"""), fetch) { RequestId = "h", ConversationId = Conversation }
                : new ToolInvocationContext("notes", "create_note", _arguments, _tool) { RequestId = "h", ConversationId = Conversation };
            context.InvokerState = new CallToolResult { Content = [new TextContentBlock { Text = i % 2 == 0 ? ScalingText.Words(random, 200) : "ok" }] };
            context.Invoker = static (ctx, _) => ValueTask.FromResult((CallToolResult)ctx.InvokerState!);
            _pipeline.InvokeAsync(context).AsTask().GetAwaiter().GetResult();
            if (!context.ToolInvoked)
            {
                throw new InvalidOperationException($"scenario broken: history call {i} was not run: {context.Decision}");
            }
        }

        var check = NewContext();
        var result = _pipeline.InvokeAsync(check).AsTask().GetAwaiter().GetResult();
        if (!check.ToolInvoked || !ReferenceEquals(result, Result) || check.Decision is not { Risk: RiskLevel.Low })
        {
            throw new InvalidOperationException($"scenario broken: expected a LOW call that runs, got {check.Decision} (ran: {check.ToolInvoked})");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _provider.Dispose();

    /// <summary>One LOW <c>notes/create_note</c> call with about 600 bytes of arguments, from the context to the tool's result.</summary>
    [Benchmark]
    public ValueTask<CallToolResult> FullPipeline() => _pipeline.InvokeAsync(NewContext());

    private ToolInvocationContext NewContext()
    {
        var context = new ToolInvocationContext("notes", "create_note", _arguments, _tool) { RequestId = "42", ConversationId = Conversation };
        context.Invoker = static (_, _) => ValueTask.FromResult(Result);
        return context;
    }

    private static string BuildArguments()
    {
        var body = ScalingText.Words(new Random(11), 400);
        return JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["folder"] = "projects/q4-planning",
            ["title"] = "Weekly sync: release checklist and owners",
            ["body"] = body,
            ["tags"] = Tags,
            ["pinned"] = false,
            ["priority"] = 2,
            ["color"] = "yellow",
            ["remindAt"] = "2026-11-30T09:00:00Z",
        });
    }

    private static JsonElement NoteSchema()
    {
        const string schema = """
            {
              "type": "object",
              "properties": {
                "folder": { "type": "string", "pattern": "^[a-z0-9][a-z0-9/_-]*$", "maxLength": 200 },
                "title": { "type": "string", "minLength": 1, "maxLength": 200 },
                "body": { "type": "string", "maxLength": 20000 },
                "tags": { "type": "array", "items": { "type": "string", "maxLength": 40 }, "maxItems": 20, "uniqueItems": true },
                "pinned": { "type": "boolean" },
                "priority": { "type": "integer", "minimum": 1, "maximum": 5 },
                "color": { "enum": ["white", "yellow", "green", "blue", "red"] },
                "remindAt": { "type": "string", "format": "date-time" }
              },
              "required": ["folder", "title", "body"],
              "additionalProperties": false
            }
            """;
        using var doc = JsonDocument.Parse(schema);
        return doc.RootElement.Clone();
    }

    private sealed class DiscardingSink : IAuditSink
    {
        public ValueTask WriteAsync(AuditRecord record, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask FlushAsync(bool durable, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}

/// <summary>Deterministic filler text for the scaling, pipeline and memory measurements.</summary>
internal static class ScalingText
{
    /// <summary>Lower-case words of 2–9 letters separated by single spaces, exactly <paramref name="length"/> characters.</summary>
    public static string Words(Random random, int length)
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
