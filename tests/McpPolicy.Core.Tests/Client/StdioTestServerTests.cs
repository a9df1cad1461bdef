using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Client;

namespace McpPolicy.Core.Tests.Client;

/// <summary>
/// The host gate over a real stdio child process (tests/McpPolicy.TestServer, which has its own server-side policy): the host's
/// decision applies on top of the server's, under the host's own server id.
/// </summary>
public sealed class StdioTestServerTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("2025-11-25")]
    public async Task Host_policy_is_enforced_over_a_stdio_server(string? protocolVersion)
    {
        var services = new ServiceCollection();
        services.AddMcpPolicy(o =>
        {
            o.Servers["notes"] = new ServerPolicy { Trusted = true };
            o.Tools.Add(new ToolPolicy("notes/echo", RiskLevel.Block) { Reason = "this host does not echo" });
            o.Tools.Add(new ToolPolicy("notes/*", RiskLevel.Low));
        });
        await using var provider = services.BuildServiceProvider();
        var stdio = new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = "test-server",
            Command = DotnetHost(),
            Arguments = [TestServerPath()],
        });
        var options = new McpClientOptions { DiscoverProbeTimeout = TimeSpan.FromSeconds(60), InitializationTimeout = TimeSpan.FromSeconds(60) };
        if (protocolVersion is not null)
        {
            options.ProtocolVersion = protocolVersion;
        }

        await using var client = await McpPolicyClient.CreateAsync(provider, "notes", stdio, options);

        var echo = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "hi" });
        var note = await client.CallToolAsync("read_note", new Dictionary<string, object?> { ["name"] = "groceries" });
        var names = (await client.ListToolsAsync()).Select(t => t.Name).ToHashSet();

        Assert.True(echo.IsError);
        Assert.Contains("this host does not echo", PolicyClientTransportTests.Text(echo), StringComparison.Ordinal);
        Assert.NotEqual(true, note.IsError);
        Assert.Contains("remember the milk", PolicyClientTransportTests.Text(note), StringComparison.Ordinal);
        Assert.DoesNotContain("echo", names);
        Assert.Contains("read_note", names);
        Assert.DoesNotContain("delete_everything", names);
    }

    private static string DotnetHost()
        => Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path).Equals("dotnet", StringComparison.OrdinalIgnoreCase) ? path : "dotnet";

    /// <summary>The TestServer's build output beside this test assembly's (same configuration and target framework).</summary>
    private static string TestServerPath()
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = output.Name;
        var configuration = output.Parent!.Name;
        var tests = output.Parent.Parent!.Parent!.Parent!.FullName;
        var path = Path.Combine(tests, "McpPolicy.TestServer", "bin", configuration, framework, "McpPolicy.TestServer.dll");
        Assert.True(File.Exists(path), $"The test server is not built at {path}.");
        return path;
    }
}
