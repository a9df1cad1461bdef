namespace McpPolicy.Gateway.Tests.EndToEnd;

/// <summary>The MCP conformance suite's server scenarios against server-everything directly and behind the gateway (tests/peers/conformance-gateway.sh).</summary>
public sealed class ConformanceTests
{
    [Fact]
    public async Task The_gateway_passes_every_conformance_scenario_the_direct_server_passes()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // The runner is a bash script.
        }

        _ = Peers.ServerBin("server-everything");
        var (code, output, error) = await Peers.RunAsync(
            ["bash", Path.Combine(Peers.Directory, "conformance-gateway.sh"), .. Peers.Gateway()],
            TimeSpan.FromMinutes(8));

        Assert.True(code == 0, output + "\n" + Peers.Tail(error));
        Assert.Matches("direct: Total: [1-9][0-9]* passed", output);
        Assert.Contains("the gateway passes every scenario the direct server passes", output, StringComparison.Ordinal);
    }
}
