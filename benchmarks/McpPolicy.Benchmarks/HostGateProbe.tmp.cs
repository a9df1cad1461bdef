// TEMPORARY (helper experiment) - delete before reporting.
#pragma warning disable CA2012, CA1515, CA2000, CA1062, CA2007, CA1849, CA1031, CA1812
using System.Text.Json;
using System.Text.Json.Nodes;
using McpPolicy.Client;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Benchmarks;

public static class HostGateProbe
{
    public static Dictionary<string, Action> Parts()
    {
        var arguments = new Dictionary<string, JsonElement> { ["text"] = JsonSerializer.SerializeToElement("hello from the benchmark", McpJsonUtilities.DefaultOptions) };
        var parameters = JsonSerializer.SerializeToNode(new CallToolRequestParams { Name = "echo", Arguments = arguments }, McpJsonUtilities.DefaultOptions)!.AsObject();
        parameters["_meta"] = new JsonObject
        {
            ["io.modelcontextprotocol/protocolVersion"] = "2026-07-28",
            ["io.modelcontextprotocol/clientInfo"] = JsonSerializer.SerializeToNode(new Implementation { Name = "McpPolicy.Benchmarks", Version = "1.0.0.0" }, McpJsonUtilities.DefaultOptions),
            ["io.modelcontextprotocol/clientCapabilities"] = new JsonObject { ["elicitation"] = new JsonObject(), ["sampling"] = new JsonObject() },
        };
        var cache = new MetaCache();
        var services = new ServiceCollection();
        services.AddMcpPolicy(o => PolicyLoader.ApplyJson(o, """{ "servers": { "bench": { "trusted": true } }, "tools": [ { "match": "bench/echo", "risk": "Low", "arguments": { "text": { "maxLength": 1000 } } } ], "rules": [ { "id": "shouting", "match": "bench/echo", "when": { "text": { "pattern": "^[A-Z ]+$" } }, "risk": "Medium" } ] }"""));
        var sp = services.BuildServiceProvider();
        var pipeline = sp.GetRequiredService<ToolInvocationPipeline>();
        var evaluator = sp.GetRequiredService<IPolicyEvaluator>();
        var tool = ToolDescriptor.FromProtocol(new Tool { Name = "echo", Annotations = new() { ReadOnlyHint = true } });
        ToolCallReader.Read(parameters, out var parsed, cache);
        var result = new CallToolResult();
        Func<ToolInvocationContext, CancellationToken, ValueTask<CallToolResult>> invoker = (c, t) => new(result);
        var request = new JsonRpcRequest { Id = new RequestId(1), Method = RequestMethods.ToolsCall, Params = parameters };
        var outgoing = new JsonRpcRequest { Id = new RequestId(1), Method = RequestMethods.ToolsCall, Params = parsed.Parameters };
        var typeInfo = McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(JsonRpcMessage));
        var buf = new System.Buffers.ArrayBufferWriter<byte>(1024);
        var w = new Utf8JsonWriter(buf);
        var w2 = new Utf8JsonWriter(buf, new JsonWriterOptions { SkipValidation = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        var strict = new JsonDocumentOptions { AllowDuplicateProperties = false };
        var meta = parameters["_meta"]!;
        var args = parameters["arguments"]!;
        buf.Clear(); w.Reset(buf); args.WriteTo(w, McpJsonUtilities.DefaultOptions); w.Flush(); var argBytes = buf.WrittenSpan.ToArray();
        var argEl = JsonElement.Parse(argBytes);
        var metaEl = JsonElement.Parse("{}");
        var snap = JsonSerializer.SerializeToNode(new JsonObject
        {
            ["io.modelcontextprotocol/protocolVersion"] = "2026-07-28",
            ["io.modelcontextprotocol/clientInfo"] = JsonSerializer.SerializeToNode(new Implementation { Name = "McpPolicy.Benchmarks", Version = "1.0.0.0" }, McpJsonUtilities.DefaultOptions),
            ["io.modelcontextprotocol/clientCapabilities"] = new JsonObject { ["elicitation"] = new JsonObject(), ["sampling"] = new JsonObject() },
        }, McpJsonUtilities.DefaultOptions)!.DeepClone();
        var snap2 = meta.DeepClone();
        return new()
        {
            ["meta deepequals"] = () => { if (!JsonNode.DeepEquals(meta, snap)) throw new InvalidOperationException(); },
            ["meta deepequals clone"] = () => { if (!JsonNode.DeepEquals(meta, snap2)) throw new InvalidOperationException(); },
            ["meta pv"] = () => { buf.Clear(); w.Reset(buf); meta["io.modelcontextprotocol/protocolVersion"]!.WriteTo(w, McpJsonUtilities.DefaultOptions); w.Flush(); },
            ["meta ci"] = () => { buf.Clear(); w.Reset(buf); meta["io.modelcontextprotocol/clientInfo"]!.WriteTo(w, McpJsonUtilities.DefaultOptions); w.Flush(); },
            ["meta cc"] = () => { buf.Clear(); w.Reset(buf); meta["io.modelcontextprotocol/clientCapabilities"]!.WriteTo(w, McpJsonUtilities.DefaultOptions); w.Flush(); },
            ["meta write nulloptions"] = () => { buf.Clear(); w.Reset(buf); meta.WriteTo(w); w.Flush(); },
            ["meta write skipval"] = () => { buf.Clear(); w2.Reset(buf); meta.WriteTo(w2, McpJsonUtilities.DefaultOptions); w2.Flush(); },
            ["meta write"] = () => { buf.Clear(); w.Reset(buf); meta.WriteTo(w, McpJsonUtilities.DefaultOptions); w.Flush(); },
            ["args write"] = () => { buf.Clear(); w.Reset(buf); args.WriteTo(w, McpJsonUtilities.DefaultOptions); w.Flush(); },
            ["args parse strict"] = () => JsonElement.Parse(argBytes, strict),
            ["args parse lenient"] = () => JsonElement.Parse(argBytes),
            ["root build"] = () => { var o = new JsonObject(); o.Add("name", JsonValue.Create("echo")); o.Add("arguments", JsonObject.Create(argEl)); o.Add("_meta", JsonObject.Create(metaEl)); },
            ["root enumerate"] = () => { var c = parameters.Count; for (int i = 0; i < c; i++) _ = parameters.GetAt(i); },
            ["reader"] = () => ToolCallReader.Read(parameters, out _, cache),
            ["context"] = () => _ = new ToolInvocationContext("bench", parsed.Name, ToolArguments.FromJson(parsed.Arguments), tool) { RequestId = new RequestId(1).ToString(), Invoker = invoker },
            ["evaluate"] = () => evaluator.Evaluate(new ToolInvocationContext("bench", parsed.Name, ToolArguments.FromJson(parsed.Arguments), tool)),
            ["context+pipeline"] = () => pipeline.InvokeAsync(new ToolInvocationContext("bench", parsed.Name, ToolArguments.FromJson(parsed.Arguments), tool) { RequestId = new RequestId(1).ToString(), Invoker = invoker }).GetAwaiter().GetResult(),
            ["cts"] = () => new CancellationTokenSource().Dispose(),
            ["serialize original"] = () => JsonSerializer.SerializeToUtf8Bytes(request, typeInfo),
            ["serialize outgoing"] = () => JsonSerializer.SerializeToUtf8Bytes(outgoing, typeInfo),
        };
    }
}

public static class SdkCheck
{
    public static async Task RunAsync()
    {
        var clientToServer = new System.IO.Pipelines.Pipe();
        var serverToClient = new System.IO.Pipelines.Pipe();
        var services = new ServiceCollection();
        services.AddMcpServer(o => o.ServerInfo = new() { Name = "bench", Version = "1.0.0" })
            .WithStreamServerTransport(clientToServer.Reader.AsStream(), serverToClient.Writer.AsStream())
            .WithTools<EndToEndBenchmarks.BenchTools>();
        var sp = services.BuildServiceProvider();
        var server = sp.GetRequiredService<ModelContextProtocol.Server.McpServer>();
        _ = server.RunAsync();
        var capture = new Capture(new StreamClientTransport(clientToServer.Writer.AsStream(), serverToClient.Reader.AsStream()));
        var client = await ModelContextProtocol.Client.McpClient.CreateAsync(capture);
        await client.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = "a" });
        await client.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = "a" });
        var calls = capture.Sent.Where(m => m is JsonRpcRequest { Method: RequestMethods.ToolsCall }).Cast<JsonRpcRequest>().ToArray();
        var m1 = calls[0].Params!["_meta"]!.AsObject();
        var m2 = calls[1].Params!["_meta"]!.AsObject();
        Console.WriteLine("same meta object: " + ReferenceEquals(m1, m2));
        foreach (var (k, v) in m1) Console.WriteLine($"{k}: {v?.GetType().Name} same={ReferenceEquals(v, m2[k])} json={v?.ToJsonString()}");
        Console.WriteLine("root type " + calls[0].Params!.GetType() + " args " + calls[0].Params!["arguments"]?.GetType());
    }

    private sealed class Capture(ModelContextProtocol.Client.IClientTransport inner) : ModelContextProtocol.Client.IClientTransport
    {
        public List<JsonRpcMessage> Sent { get; } = [];
        public string Name => "capture";
        public async Task<ITransport> ConnectAsync(CancellationToken cancellationToken = default) => new Session(await inner.ConnectAsync(cancellationToken), Sent);
        private sealed class Session(ITransport t, List<JsonRpcMessage> sent) : ITransport
        {
            public string? SessionId => t.SessionId;
            public System.Threading.Channels.ChannelReader<JsonRpcMessage> MessageReader => t.MessageReader;
            public Task SendMessageAsync(JsonRpcMessage message, CancellationToken cancellationToken = default) { lock (sent) { sent.Add(message); } return t.SendMessageAsync(message, cancellationToken); }
            public ValueTask DisposeAsync() => t.DisposeAsync();
        }
    }
}
