using McpPolicy.Core.Tests.Server;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Core.Tests.Control;

/// <summary>The kill switch and limits through a real MCP server (WithPolicy) and a real MCP client over in-memory pipes.</summary>
public sealed class ControlEndToEndTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static Task<InMemoryMcp> StartAsync(string? protocolVersion, Action<McpPolicyOptions> policy)
        => InMemoryMcp.StartAsync(
            (services, mcp) =>
            {
                services.AddMcpPolicy(policy);
                mcp.WithTools<RiskRatedTools>().WithPolicy();
            },
            protocolVersion);

    private static async Task<CallToolResult> CallAsync(McpClient client, string tool)
    {
        using var cts = new CancellationTokenSource(Timeout);
        return await client.CallToolAsync(tool, new Dictionary<string, object?> { ["text"] = "hi" }, cancellationToken: cts.Token);
    }

    [Theory]
    [MemberData(nameof(InMemoryMcp.ProtocolVersions), MemberType = typeof(InMemoryMcp))]
    public async Task Kill_switch_disables_and_reenables_a_tool_for_a_real_client(string? protocolVersion)
    {
        await using var mcp = await StartAsync(protocolVersion, _ => { });
        var killSwitch = mcp.Services.GetRequiredService<IKillSwitch>();
        ControlAssert.Ran(await CallAsync(mcp.Client, "low"));

        killSwitch.Disable(KillSwitchScope.Tool("server/low"), "under investigation");
        var denied = await CallAsync(mcp.Client, "low");

        Assert.Equal("killswitch:server/low", ControlAssert.RuleId(denied));
        Assert.StartsWith(Denials.Prefix, ControlAssert.Text(denied), StringComparison.Ordinal);
        Assert.Contains("under investigation", ControlAssert.Text(denied), StringComparison.Ordinal);
        ControlAssert.Ran(await CallAsync(mcp.Client, "medium"));

        killSwitch.Disable(KillSwitchScope.Server("server"));
        Assert.Equal("killswitch:server/low", ControlAssert.RuleId(await CallAsync(mcp.Client, "low")));
        Assert.Equal("killswitch:server:server", ControlAssert.RuleId(await CallAsync(mcp.Client, "medium")));

        Assert.True(killSwitch.Enable(KillSwitchScope.Tool("server/low")));
        Assert.True(killSwitch.Enable(KillSwitchScope.Server("server")));
        Assert.Equal("low:hi", ControlAssert.Text(await CallAsync(mcp.Client, "low")));
    }

    [Theory]
    [MemberData(nameof(InMemoryMcp.ProtocolVersions), MemberType = typeof(InMemoryMcp))]
    public async Task Rate_limit_denies_a_real_client_over_its_budget_with_the_limit_id(string? protocolVersion)
    {
        await using var mcp = await StartAsync(protocolVersion, o => o.Limits.PerTool["server/low"] = new ToolLimitPolicy { PerMinute = 2 });

        ControlAssert.Ran(await CallAsync(mcp.Client, "low"));
        ControlAssert.Ran(await CallAsync(mcp.Client, "low"));
        var denied = await CallAsync(mcp.Client, "low");

        Assert.Equal("limits.perTool[server/low].perMinute", ControlAssert.RuleId(denied));
        ControlAssert.Ran(await CallAsync(mcp.Client, "medium"));
    }

    [Theory]
    [MemberData(nameof(InMemoryMcp.ProtocolVersions), MemberType = typeof(InMemoryMcp))]
    public async Task Configured_kill_switch_applies_to_a_real_client(string? protocolVersion)
    {
        await using var mcp = await StartAsync(protocolVersion, o => o.KillSwitch.Add(new KillSwitchEntry(KillSwitchScope.All, "read-only day")));

        var denied = await CallAsync(mcp.Client, "low");

        Assert.Equal("killswitch:all", ControlAssert.RuleId(denied));
        Assert.Contains("read-only day", ControlAssert.Text(denied), StringComparison.Ordinal);
    }
}
