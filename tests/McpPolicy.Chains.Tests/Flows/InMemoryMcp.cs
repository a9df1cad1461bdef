using System.IO.Pipelines;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpPolicy.Chains.Tests.Flows;

/// <summary>A real MCP server (built through DI, as an application would) and a real MCP client, joined by in-memory pipes.</summary>
internal sealed class InMemoryMcp : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly McpServer _server;
    private readonly CancellationTokenSource _stop;
    private readonly Task _run;

    private InMemoryMcp(ServiceProvider services, McpServer server, CancellationTokenSource stop, Task run, McpClient client)
    {
        _services = services;
        _server = server;
        _stop = stop;
        _run = run;
        Client = client;
    }

    public McpClient Client { get; }

    public IServiceProvider Services => _services;

    /// <summary>The SDK default protocol (2026-07-28) and the classic 2025-11-25.</summary>
    public static TheoryData<string?> ProtocolVersions => new() { null, "2025-11-25" };

    public static async Task<InMemoryMcp> StartAsync(Action<IServiceCollection, IMcpServerBuilder> configure, string? protocolVersion)
    {
        var clientToServer = new Pipe();
        var serverToClient = new Pipe();
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        var mcp = services.AddMcpServer(o => o.ServerInfo = new() { Name = "flow-test", Version = "1.0.0" })
            .WithStreamServerTransport(clientToServer.Reader.AsStream(), serverToClient.Writer.AsStream());
        configure(services, mcp);

        var provider = services.BuildServiceProvider();
        var server = provider.GetRequiredService<McpServer>();
        var stop = new CancellationTokenSource();
        var run = server.RunAsync(stop.Token);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var client = await McpClient.CreateAsync(
            new StreamClientTransport(clientToServer.Writer.AsStream(), serverToClient.Reader.AsStream()),
            new McpClientOptions { ClientInfo = new() { Name = "flow-test-client", Version = "1.0.0" }, ProtocolVersion = protocolVersion },
            cancellationToken: timeout.Token);
        return new InMemoryMcp(provider, server, stop, run, client);
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await _stop.CancelAsync();
        try
        {
            await _run.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (OperationCanceledException)
        {
        }

        await _server.DisposeAsync();
        await _services.DisposeAsync();
        _stop.Dispose();
    }
}
