using System.IO.Pipelines;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpPolicy.Schemas.Tests.Validation;

/// <summary>A real MCP server with <c>WithPolicy</c> and <c>AddSchemaValidation</c>, and a real client, joined by in-memory pipes.</summary>
internal sealed class SchemaMcp : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly McpServer _server;
    private readonly CancellationTokenSource _stop;
    private readonly Task _run;

    private SchemaMcp(ServiceProvider services, McpServer server, CancellationTokenSource stop, Task run, McpClient client)
    {
        _services = services;
        _server = server;
        _stop = stop;
        _run = run;
        Client = client;
    }

    public McpClient Client { get; }

    /// <summary>Starts a server with the policy <paramref name="policyJson"/> and the tools <paramref name="tools"/> adds.</summary>
    public static async Task<SchemaMcp> StartAsync(string policyJson, Action<IMcpServerBuilder> tools)
    {
        var clientToServer = new Pipe();
        var serverToClient = new Pipe();
        var services = new ServiceCollection();
        services.AddMcpPolicy(o => PolicyLoader.ApplyJson(o, policyJson)).AddSchemaValidation();
        var mcp = services.AddMcpServer(o => o.ServerInfo = new() { Name = "schema-test", Version = "1.0.0" })
            .WithStreamServerTransport(clientToServer.Reader.AsStream(), serverToClient.Writer.AsStream());
        tools(mcp);
        mcp.WithPolicy();

        var provider = services.BuildServiceProvider();
        var server = provider.GetRequiredService<McpServer>();
        var stop = new CancellationTokenSource();
        var run = server.RunAsync(stop.Token);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var client = await McpClient.CreateAsync(
            new StreamClientTransport(clientToServer.Writer.AsStream(), serverToClient.Reader.AsStream()),
            new McpClientOptions { ClientInfo = new() { Name = "schema-test-client", Version = "1.0.0" } },
            cancellationToken: timeout.Token);
        return new SchemaMcp(provider, server, stop, run, client);
    }

    public async Task<CallToolResult> CallAsync(string tool, Dictionary<string, object?> arguments)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await Client.CallToolAsync(tool, arguments, cancellationToken: timeout.Token);
    }

    public static string Text(CallToolResult result) => Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text;

    public static string? RuleId(CallToolResult result) => result.Meta?[McpPolicyMetaKeys.RuleId]?.GetValue<string>();

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
    }
}
