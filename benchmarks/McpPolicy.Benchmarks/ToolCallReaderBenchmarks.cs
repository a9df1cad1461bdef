using System.Text.Json;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using McpPolicy.Client;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Benchmarks;

/// <summary>
/// The host gate's reading of a <c>tools/call</c> request's params on its own (<see cref="HostGateBenchmarks"/> times the whole gate):
/// <c>Read</c> is <see cref="ToolCallReader.Read"/> with the connection's cache, as the gate calls it; <c>Walk</c> is the repeated-name
/// walk over the client's parsed params alone. The params are shaped as in <see cref="HostGateBenchmarks"/>.
/// </summary>
[MemoryDiagnoser]
public class ToolCallReaderBenchmarks
{
    private readonly MetaCache _cache = new();
    private JsonObject _parameters = null!;
    private JsonElement _element;

    /// <summary>Null is the SDK default (2026-07-28).</summary>
    [Params(null, "2025-11-25")]
    public string? ProtocolVersion { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var arguments = new Dictionary<string, JsonElement> { ["text"] = JsonSerializer.SerializeToElement("hello from the benchmark", McpJsonUtilities.DefaultOptions) };
        _parameters = JsonSerializer.SerializeToNode(new CallToolRequestParams { Name = "echo", Arguments = arguments }, McpJsonUtilities.DefaultOptions)!.AsObject();
        _element = JsonSerializer.SerializeToElement(new CallToolRequestParams { Name = "echo", Arguments = arguments }, McpJsonUtilities.DefaultOptions);
        if (ProtocolVersion is null)
        {
            _parameters["_meta"] = new JsonObject
            {
                ["io.modelcontextprotocol/protocolVersion"] = "2026-07-28",
                ["io.modelcontextprotocol/clientInfo"] = JsonSerializer.SerializeToNode(new Implementation { Name = "McpPolicy.Benchmarks", Version = "1.0.0.0" }, McpJsonUtilities.DefaultOptions),
                ["io.modelcontextprotocol/clientCapabilities"] = JsonNode.Parse("""{"elicitation":{},"sampling":{}}"""),
            };
        }

        if (Read() != "echo")
        {
            throw new InvalidOperationException("The params did not read.");
        }
    }

    /// <summary>The gate's read of the params: the name, the arguments, and the copy that is sent.</summary>
    [Benchmark]
    public string Read()
        => ToolCallReader.Read(_parameters, out var call, _cache) == ToolCallReadStatus.Ok ? call.Name : throw new InvalidOperationException("Not read.");

    /// <summary>The repeated-name walk alone, over params parsed as the 2025-11-25 client sends them.</summary>
    [Benchmark]
    public int Walk() => (int)UniqueNames.CheckParams(_element, out _);
}
