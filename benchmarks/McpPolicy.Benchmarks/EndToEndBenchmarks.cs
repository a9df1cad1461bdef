using System.IO.Pipelines;
using BenchmarkDotNet.Attributes;
using McpPolicy;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpPolicy.Benchmarks;

/// <summary>
/// One in-process <c>tools/call</c> round trip over in-memory pipes: a real MCP server and client, without McpPolicy, with it on
/// the server side (<c>WithPolicy</c>), on the host side (<c>PolicyClientTransport</c>), and on both. Each side adds its whole
/// pipeline: context, evaluation, decision filter, and the server guard or the client's request re-parsing. <c>wrapper</c> is the
/// floor of any host-side gate: a client transport wrapper that forwards every message unchanged through its own incoming channel
/// (the shape <c>PolicyClientTransport</c> needs to intercept responses), with no policy.
/// </summary>
[MemoryDiagnoser]
public class EndToEndBenchmarks
{
    private const string PolicyJson = """
        {
          "servers": { "bench": { "trusted": true } },
          "tools": [
            { "match": "bench/echo", "risk": "Low", "arguments": { "text": { "maxLength": 1000 } } },
            { "match": "bench/delete_*", "risk": "Block" },
            { "match": "*/send_*", "risk": "High" }
          ],
          "rules": [ { "id": "shouting", "match": "bench/echo", "when": { "text": { "pattern": "^[A-Z ]+$" } }, "risk": "Medium" } ]
        }
        """;

    private static readonly Dictionary<string, object?> Arguments = new() { ["text"] = "hello from the benchmark" };

    private Harness? _harness;

    /// <summary>Null is the SDK default (2026-07-28).</summary>
    [Params(null, "2025-11-25")]
    public string? ProtocolVersion { get; set; }

    /// <summary>Where McpPolicy runs.</summary>
    [Params("none", "wrapper", "server", "host", "both")]
    public string Policy { get; set; } = "none";

    [GlobalSetup]
    public void Setup() => _harness = Harness.StartAsync(Policy is "server" or "both", Policy is "host" or "both", Policy is "wrapper", ProtocolVersion).GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup() => _harness!.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark]
    public async Task<CallToolResult> CallTool() => await _harness!.Client.CallToolAsync("echo", Arguments).ConfigureAwait(false);

    [McpServerToolType]
    public sealed class BenchTools
    {
        [McpServerTool(Name = "echo", ReadOnly = true)]
        public static string Echo(string text) => text;
    }

    private sealed class Harness : IAsyncDisposable
    {
        private ServiceProvider _services = null!;
        private ServiceProvider? _hostServices;
        private McpServer _server = null!;
        private CancellationTokenSource _stop = null!;
        private Task _run = null!;

        public McpClient Client { get; private set; } = null!;

        public static async Task<Harness> StartAsync(bool serverPolicy, bool hostPolicy, bool passThrough, string? protocolVersion)
        {
            var clientToServer = new Pipe();
            var serverToClient = new Pipe();
            var services = new ServiceCollection();
            var mcp = services.AddMcpServer(o => o.ServerInfo = new() { Name = "bench", Version = "1.0.0" })
                .WithStreamServerTransport(clientToServer.Reader.AsStream(), serverToClient.Writer.AsStream())
                .WithTools<BenchTools>();
            if (serverPolicy)
            {
                services.AddMcpPolicy(o => PolicyLoader.ApplyJson(o, PolicyJson));
                mcp.WithPolicy(o => o.ServerId = "bench");
            }

            var h = new Harness { _services = services.BuildServiceProvider() };
            h._server = h._services.GetRequiredService<McpServer>();
            h._stop = new CancellationTokenSource();
            h._run = h._server.RunAsync(h._stop.Token);
            IClientTransport transport = new StreamClientTransport(clientToServer.Writer.AsStream(), serverToClient.Reader.AsStream());
            if (passThrough)
            {
                transport = new PassThroughClientTransport(transport);
            }

            var clientOptions = new McpClientOptions { ProtocolVersion = protocolVersion };
            if (hostPolicy)
            {
                var host = new ServiceCollection();
                host.AddMcpPolicy(o => PolicyLoader.ApplyJson(o, PolicyJson));
                h._hostServices = host.BuildServiceProvider();
                h.Client = await McpPolicyClient.CreateAsync(h._hostServices, "bench", transport, clientOptions).ConfigureAwait(false);
            }
            else
            {
                h.Client = await McpClient.CreateAsync(transport, clientOptions).ConfigureAwait(false);
            }
            var check = await h.Client.CallToolAsync("echo", Arguments).ConfigureAwait(false);
            if (check.IsError == true)
            {
                throw new InvalidOperationException("The benchmark call was denied; the policy is wrong.");
            }

            return h;
        }

        public async ValueTask DisposeAsync()
        {
            await Client.DisposeAsync().ConfigureAwait(false);
            await _stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await _run.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            await _server.DisposeAsync().ConfigureAwait(false);
            await _services.DisposeAsync().ConfigureAwait(false);
            if (_hostServices is not null)
            {
                await _hostServices.DisposeAsync().ConfigureAwait(false);
            }

            _stop.Dispose();
        }
    }
}
