using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using BenchmarkDotNet.Attributes;
using McpPolicy.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpPolicy.Benchmarks;

/// <summary>
/// The server gate's own cost per <c>tools/call</c>, on one thread: a real <see cref="McpServer"/> built from the same
/// <c>AddMcpServer().WithTools&lt;...&gt;()</c> registration as <see cref="EndToEndBenchmarks"/> (plus <c>WithPolicy</c> for
/// <c>policy</c>), whose configured call-tool filters are chained around the tool exactly as the SDK chains them (first added
/// outermost, the SDK's step that finds the tool outside them all) and invoked directly. Each call deserializes the request line
/// and its params, builds the <see cref="RequestContext{TParams}"/>, runs the filters and the tool, and serializes the result, as the
/// server's request handler does; what the SDK does around that (its message loop, which always yields to the thread pool once
/// per message, the per-request cancellation source, telemetry, the response write) is the same with and without the policy and is
/// left out, since it cannot run on one thread. <c>policy</c> − <c>none</c> is therefore what <c>WithPolicy</c> adds: the policy
/// filter, its pipeline (context, kill switch, assessment, decision, limits) and the guard. The request is the MCP client's
/// <c>tools/call</c>, with the client's <c>_meta</c> under 2026-07-28.
/// </summary>
[MemoryDiagnoser]
public class ServerGateBenchmarks
{
    private const string PolicyJson = """
        {
          "servers": { "bench": { "trusted": true } },
          "tools": [ { "match": "bench/echo", "risk": "Low", "arguments": { "text": { "maxLength": 1000 } } } ],
          "rules": [ { "id": "shouting", "match": "bench/echo", "when": { "text": { "pattern": "^[A-Z ]+$" } }, "risk": "Medium" } ]
        }
        """;

    private static readonly JsonTypeInfo MessageType = McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(JsonRpcMessage));
    private static readonly JsonTypeInfo ParamsType = McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(CallToolRequestParams));
    private static readonly JsonTypeInfo ResultType = McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(CallToolResult));

    private ServiceProvider? _services;
    private McpServer? _server;
    private McpRequestHandler<CallToolRequestParams, CallToolResult> _handler = null!;
    private byte[] _requestLine = null!;

    /// <summary>Null is the SDK default (2026-07-28).</summary>
    [Params(null, "2025-11-25")]
    public string? ProtocolVersion { get; set; }

    /// <summary>Whether the server has <c>WithPolicy</c>.</summary>
    [Params("none", "policy")]
    public string Policy { get; set; } = "none";

    [GlobalSetup]
    public void Setup()
    {
        var services = new ServiceCollection();
        var mcp = services.AddMcpServer(o => o.ServerInfo = new() { Name = "bench", Version = "1.0.0" }).WithTools<EndToEndBenchmarks.BenchTools>();
        if (Policy == "policy")
        {
            services.AddMcpPolicy(o => PolicyLoader.ApplyJson(o, PolicyJson));
            mcp.WithPolicy(o => o.ServerId = "bench");
        }

        _services = services.BuildServiceProvider();
        var options = _services.GetRequiredService<IOptions<McpServerOptions>>().Value;
        _server = McpServer.Create(new IdleTransport(), options, loggerFactory: null, _services);

        // The SDK's chain: the tool innermost, the filters around it (the first added outermost), the tool lookup outside them all.
        var tools = options.ToolCollection ?? throw new InvalidOperationException("No tools registered.");
        McpRequestHandler<CallToolRequestParams, CallToolResult> handler = (request, cancellationToken) =>
            request.MatchedPrimitive is McpServerTool tool ? tool.InvokeAsync(request, cancellationToken) : throw new InvalidOperationException("No tool.");
        var filters = options.Filters.Request.CallToolFilters;
        for (var i = filters.Count - 1; i >= 0; i--)
        {
            handler = filters[i](handler);
        }

        var inner = handler;
        _handler = (request, cancellationToken) =>
        {
            if (request.Params?.Name is { } name && tools.TryGetPrimitive(name, out var tool))
            {
                request.MatchedPrimitive = tool;
            }

            return inner(request, cancellationToken);
        };

        const string Arguments = """{"text":"hello from the benchmark"}""";
        _requestLine = Encoding.UTF8.GetBytes(ProtocolVersion is null
            ? """{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":""" + Arguments
                + ""","_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"McpPolicy.Benchmarks","version":"1.0.0.0"},"io.modelcontextprotocol/clientCapabilities":{"elicitation":{},"sampling":{}}}}}"""
            : """{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":""" + Arguments + "}}");

        var result = JsonSerializer.Deserialize(CallTool(), ResultType) as CallToolResult;
        if (result is null || result.IsError == true || result.Content is not [TextContentBlock { Text: "hello from the benchmark" }])
        {
            throw new InvalidOperationException("The benchmark call did not reach the tool; the policy or the harness is wrong.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _server!.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _services?.Dispose();
    }

    /// <summary>One call: the request line read, handled and its result serialized, as the server's request handler does.</summary>
    [Benchmark]
    public JsonNode CallTool()
    {
        var request = (JsonRpcRequest)JsonSerializer.Deserialize(_requestLine, MessageType)!;
        var parameters = (CallToolRequestParams?)request.Params.Deserialize(ParamsType);
        var context = new RequestContext<CallToolRequestParams>(_server!, request, parameters!) { Services = _services };
        var pending = _handler(context, CancellationToken.None);
        if (!pending.IsCompletedSuccessfully)
        {
            throw new InvalidOperationException("The call did not complete synchronously.");
        }

        return JsonSerializer.SerializeToNode(pending.Result, ResultType)!;
    }
}
