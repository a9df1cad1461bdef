using System.IO.Pipelines;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpPolicy.Tests.TestSupport;

/// <summary>
/// A real MCP server (built through DI, as an application would) and a real MCP client, joined by in-memory pipes. One source file,
/// compiled into every test project that needs it (linked from tests/Shared by each project file).
/// </summary>
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

    /// <summary>The protocol versions every server test runs under: the SDK default (2026-07-28) and the classic 2025-11-25.</summary>
    public static TheoryData<string?> ProtocolVersions => new() { null, "2025-11-25" };

    /// <summary>Starts a server configured by <paramref name="configure"/> and connects a client to it.</summary>
    /// <param name="configure">Registers the policy and configures the MCP server builder (tools, <c>WithPolicy</c>).</param>
    /// <param name="protocolVersion">The client's protocol version, or null for the SDK default.</param>
    /// <param name="elicitation">The client's elicitation handler; null means the client does not declare elicitation.</param>
    public static async Task<InMemoryMcp> StartAsync(
        Action<IServiceCollection, IMcpServerBuilder> configure,
        string? protocolVersion,
        Func<ElicitRequestParams?, CancellationToken, ValueTask<ElicitResult>>? elicitation = null)
    {
        var clientToServer = new Pipe();
        var serverToClient = new Pipe();
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        var mcp = services.AddMcpServer(o => o.ServerInfo = new() { Name = "policy-test", Version = "1.0.0" })
            .WithStreamServerTransport(clientToServer.Reader.AsStream(), serverToClient.Writer.AsStream());
        configure(services, mcp);

        var provider = services.BuildServiceProvider();
        var server = provider.GetRequiredService<McpServer>();
        var stop = new CancellationTokenSource();
        var run = server.RunAsync(stop.Token);

        var options = new McpClientOptions
        {
            ClientInfo = new() { Name = "policy-test-client", Version = "1.0.0" },
            ProtocolVersion = protocolVersion,
        };
        if (elicitation is not null)
        {
            options.Handlers = new McpClientHandlers { ElicitationHandler = elicitation };
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var client = await McpClient.CreateAsync(
            new StreamClientTransport(clientToServer.Writer.AsStream(), serverToClient.Reader.AsStream()),
            options,
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
