using McpPolicy.Core.Tests.Client;
using McpPolicy.Core.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Core.Tests.Control;

/// <summary>The kill switch and limits on the host side: a real MCP client, the policy transport, a real in-memory MCP server.</summary>
public sealed class HostGateControlTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static async Task<CallToolResult> CallAsync(McpClient client, string tool)
    {
        using var cts = new CancellationTokenSource(Patience);
        return await client.CallToolAsync(tool, new Dictionary<string, object?> { ["text"] = "hi" }, cancellationToken: cts.Token);
    }

    [Fact]
    public async Task Kill_switch_denies_a_host_call_without_sending_it_to_the_server()
    {
        await using var host = await PolicyHost.StartAsync(null);
        var killSwitch = host.Services.GetRequiredService<IKillSwitch>();
        ControlAssert.Ran(await CallAsync(host.Client, "echo"));

        killSwitch.Disable(KillSwitchScope.Server(PolicyHost.ServerId), "server quarantined");
        var denied = await CallAsync(host.Client, "echo");

        Assert.Equal("killswitch:server:demo", ControlAssert.RuleId(denied));
        Assert.Contains("server quarantined", ControlAssert.Text(denied), StringComparison.Ordinal);
        killSwitch.Enable(KillSwitchScope.Server(PolicyHost.ServerId));
        ControlAssert.Ran(await CallAsync(host.Client, "echo"));
    }

    [Fact]
    public async Task Host_call_over_its_timeout_is_cancelled_and_denied()
    {
        var time = new ManualTimeProvider();
        await using var host = await PolicyHost.StartAsync(
            null,
            b => b.Services.AddSingleton<TimeProvider>(time),
            policy: o =>
            {
                PolicyHost.DefaultPolicy(o);
                o.Limits.PerTool["demo/slow"] = new ToolLimitPolicy { Timeout = TimeSpan.FromSeconds(5) };
            });

        var call = CallAsync(host.Client, "slow");
        await host.Server.SlowStarted.Task.WaitAsync(Patience);
        time.Advance(TimeSpan.FromSeconds(5));
        var result = await call.WaitAsync(Patience);

        Assert.Equal("limits.perTool[demo/slow].timeout", ControlAssert.RuleId(result));

        // The gate cancelled the call: the server's tool saw its cancellation.
        await host.Server.SlowCancelled.Task.WaitAsync(Patience);
    }
}
