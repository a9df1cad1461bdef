using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Benchmarks;

/// <summary>
/// The host gate's own cost per <c>tools/call</c>, without threads: a fake inner transport serializes each request as a stream
/// transport would and answers it at once, parsing a canned response line, and every channel continues synchronously, so a call
/// runs start to finish on the benchmark thread. <c>none</c> is the fake transport alone, <c>wrapper</c> adds a pass-through
/// wrapper (<see cref="PassThroughClientTransport"/>), <c>host</c> is <see cref="PolicyClientTransport"/> with the built-in pipeline
/// (no filter post-processes results, so the server's response passes through undecoded), <c>host-inspect</c> adds one filter that
/// post-processes results (it only awaits the rest of the pipeline), so the result is decoded and re-encoded.
/// The params are shaped like the MCP client's (2.3.1): element-backed for 2025-11-25; for 2026-07-28 a <c>_meta</c> object added as a
/// node, holding the protocol version as a string node and the client info and capabilities as element-backed objects.
/// </summary>
[MemoryDiagnoser]
public class HostGateBenchmarks
{
    private const string PolicyJson = """
        {
          "servers": { "bench": { "trusted": true } },
          "tools": [ { "match": "bench/echo", "risk": "Low", "arguments": { "text": { "maxLength": 1000 } } } ],
          "rules": [ { "id": "shouting", "match": "bench/echo", "when": { "text": { "pattern": "^[A-Z ]+$" } }, "risk": "Medium" } ]
        }
        """;

    private ServiceProvider? _services;
    private ITransport _transport = null!;
    private JsonRpcRequest _request = null!;

    /// <summary>Null is the SDK default (2026-07-28).</summary>
    [Params(null, "2025-11-25")]
    public string? ProtocolVersion { get; set; }

    /// <summary>What sits in front of the fake transport.</summary>
    [Params("none", "wrapper", "host", "host-inspect")]
    public string Policy { get; set; } = "none";

    [GlobalSetup]
    public void Setup()
    {
        var arguments = new Dictionary<string, JsonElement> { ["text"] = JsonSerializer.SerializeToElement("hello from the benchmark", McpJsonUtilities.DefaultOptions) };
        var parameters = JsonSerializer.SerializeToNode(new CallToolRequestParams { Name = "echo", Arguments = arguments }, McpJsonUtilities.DefaultOptions)!.AsObject();
        if (ProtocolVersion is null)
        {
            parameters["_meta"] = new JsonObject
            {
                ["io.modelcontextprotocol/protocolVersion"] = "2026-07-28",
                ["io.modelcontextprotocol/clientInfo"] = JsonSerializer.SerializeToNode(new Implementation { Name = "McpPolicy.Benchmarks", Version = "1.0.0.0" }, McpJsonUtilities.DefaultOptions),
                ["io.modelcontextprotocol/clientCapabilities"] = JsonNode.Parse("""{"elicitation":{},"sampling":{}}"""),
            };
        }

        _request = new JsonRpcRequest { Id = new RequestId(1), Method = RequestMethods.ToolsCall, Params = parameters };
        var inner = new AnsweringTransport();
        switch (Policy)
        {
            case "none":
                _transport = inner.Session;
                break;
            case "wrapper":
                _transport = new PassThroughClientTransport(inner).ConnectAsync().GetAwaiter().GetResult();
                break;
            default:
                var services = new ServiceCollection();
                var policy = services.AddMcpPolicy(o => PolicyLoader.ApplyJson(o, PolicyJson));
                if (Policy == "host-inspect")
                {
                    policy.AddFilter(new InspectingFilter());
                }

                _services = services.BuildServiceProvider();
                _services.GetRequiredService<ToolCatalog>().SetTools("bench", [ToolDescriptor.FromProtocol(new Tool { Name = "echo", Annotations = new() { ReadOnlyHint = true } })]);
                _transport = _services.CreatePolicyTransport("bench", inner).ConnectAsync().GetAwaiter().GetResult();
                break;
        }

        if (CallTool().IsError == true)
        {
            throw new InvalidOperationException("The benchmark call was denied; the policy is wrong.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _transport.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _services?.Dispose();
    }

    /// <summary>One call: the request handed to the transport, its response read back and decoded as the MCP client does.</summary>
    [Benchmark]
    public CallToolResult CallTool()
    {
        var sent = _transport.SendMessageAsync(_request);
        if (!sent.IsCompletedSuccessfully || !_transport.MessageReader.TryRead(out var reply))
        {
            throw new InvalidOperationException("The call did not complete synchronously.");
        }

        return JsonSerializer.Deserialize(((JsonRpcResponse)reply).Result, McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(CallToolResult))) as CallToolResult
            ?? throw new InvalidOperationException("No result.");
    }

    /// <summary>A post-processing filter (by the interface's default) that does nothing after the tool ran.</summary>
    private sealed class InspectingFilter : IToolInvocationFilter
    {
        public int Order => ToolInvocationFilterOrder.Inspect;

        public ValueTask InvokeAsync(ToolInvocationContext context, ToolInvocationDelegate next, CancellationToken cancellationToken) => next(context, cancellationToken);
    }

    /// <summary>Serializes each message like a stream transport and answers a <c>tools/call</c> at once, on the caller's thread.</summary>
    private sealed class AnsweringTransport : IClientTransport
    {
        private static readonly byte[] ResponseTail = Encoding.UTF8.GetBytes(""","result":{"content":[{"type":"text","text":"hello from the benchmark"}],"structuredContent":{"result":"hello from the benchmark"}}}""");

        public AnsweringTransport() => Session = new Connection();

        public string Name => "answering";

        public Connection Session { get; }

        public Task<ITransport> ConnectAsync(CancellationToken cancellationToken = default) => Task.FromResult<ITransport>(Session);

        public sealed class Connection : ITransport
        {
            private readonly Channel<JsonRpcMessage> _channel = Channel.CreateUnbounded<JsonRpcMessage>(new UnboundedChannelOptions { AllowSynchronousContinuations = true });
            private readonly byte[] _line = new byte[4096];

            public string? SessionId => null;

            public ChannelReader<JsonRpcMessage> MessageReader => _channel.Reader;

            public Task SendMessageAsync(JsonRpcMessage message, CancellationToken cancellationToken = default)
            {
                _ = JsonSerializer.SerializeToUtf8Bytes(message, McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(JsonRpcMessage)));
                if (message is JsonRpcRequest { Method: RequestMethods.ToolsCall } request)
                {
                    var head = Encoding.UTF8.GetBytes($$"""{"jsonrpc":"2.0","id":{{request.Id}}""");
                    head.CopyTo(_line, 0);
                    ResponseTail.CopyTo(_line, head.Length);
                    var span = _line.AsSpan(0, head.Length + ResponseTail.Length);
                    _channel.Writer.TryWrite((JsonRpcMessage)JsonSerializer.Deserialize(span, McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(JsonRpcMessage)))!);
                }

                return Task.CompletedTask;
            }

            public ValueTask DisposeAsync()
            {
                _channel.Writer.TryComplete();
                return default;
            }
        }
    }
}
