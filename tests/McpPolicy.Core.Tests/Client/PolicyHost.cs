using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Client;

namespace McpPolicy.Core.Tests.Client;

/// <summary>An agent host: McpPolicy in DI, and an <see cref="McpClient"/> connected to an <see cref="InMemoryMcpServer"/> through the policy transport.</summary>
internal sealed class PolicyHost : IAsyncDisposable
{
    public const string ServerId = "demo";

    private PolicyHost(ServiceProvider services, InMemoryMcpServer server, PolicyClientTransport transport, McpClient client)
    {
        Services = services;
        Server = server;
        Transport = transport;
        Client = client;
    }

    public ServiceProvider Services { get; }

    public InMemoryMcpServer Server { get; }

    public PolicyClientTransport Transport { get; }

    public McpClient Client { get; }

    public ToolCatalog Catalog => Services.GetRequiredService<ToolCatalog>();

    /// <summary>The default host policy: server "demo" trusted; echo Low; delete_* and secret_* blocked; wire blocked.</summary>
    public static void DefaultPolicy(McpPolicyOptions o)
    {
        o.Servers[ServerId] = new ServerPolicy { Trusted = true };
        o.Tools.Add(new ToolPolicy("demo/echo", RiskLevel.Low));
        o.Tools.Add(new ToolPolicy("demo/delete_*", RiskLevel.Block) { Reason = "deleting is not allowed here" });
        o.Tools.Add(new ToolPolicy("demo/secret_*", RiskLevel.Block) { Reason = "secrets stay hidden" });
        o.Tools.Add(new ToolPolicy("demo/wire", RiskLevel.Block) { Reason = "wires are not sent from this host" });
        o.Tools.Add(new ToolPolicy("*/*", RiskLevel.Low));
    }

    public static async Task<PolicyHost> StartAsync(
        string? protocolVersion,
        Action<McpPolicyBuilder>? configure = null,
        InMemoryMcpServer? server = null,
        PolicyClientTransportOptions? transportOptions = null,
        Action<McpPolicyOptions>? policy = null)
    {
        var services = new ServiceCollection();
        var builder = services.AddMcpPolicy(policy ?? DefaultPolicy);
        configure?.Invoke(builder);
        var provider = services.BuildServiceProvider();
        server ??= new InMemoryMcpServer();
        var transport = provider.CreatePolicyTransport(ServerId, server.CreateClientTransport(), transportOptions);
        var options = new McpClientOptions { DiscoverProbeTimeout = TimeSpan.FromSeconds(30) };
        if (protocolVersion is not null)
        {
            options.ProtocolVersion = protocolVersion;
        }

        var client = await McpClient.CreateAsync(transport, options);
        return new PolicyHost(provider, server, transport, client);
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await Server.DisposeAsync();
        await Services.DisposeAsync();
    }
}
