using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Core.Tests.Server;

/// <summary>End to end over stdio: launches tests/McpPolicy.TestServer (built with the tests) as a child process.</summary>
public sealed class StdioTestServerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The TestServer's dll: the test project's output folder (for example bin/Release/net10.0), applied to the TestServer
    /// project folder. Built through the test project's reference to it.
    /// </summary>
    internal static string TestServerDll()
    {
        var output = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
        var root = new DirectoryInfo(output);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "McpPolicy.sln")))
        {
            root = root.Parent;
        }

        Assert.True(root is not null, $"The repository root (with McpPolicy.sln) was not found above {output}.");
        var relative = Path.GetRelativePath(Path.Combine(root!.FullName, "tests", "McpPolicy.Core.Tests"), output);
        var dll = Path.Combine(root.FullName, "tests", "McpPolicy.TestServer", relative, "McpPolicy.TestServer.dll");
        Assert.True(File.Exists(dll), $"The test server was not built: {dll} is missing. Build McpPolicy.sln first.");
        return dll;
    }

    private static async Task<McpClient> ConnectAsync(string? protocolVersion, Func<ElicitRequestParams?, CancellationToken, ValueTask<ElicitResult>>? elicitation = null)
    {
        var transport = new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = "mcppolicy-test-server",
            Command = "dotnet",
            Arguments = [TestServerDll()],
        });
        var options = new McpClientOptions { ProtocolVersion = protocolVersion };
        if (elicitation is not null)
        {
            options.Handlers = new McpClientHandlers { ElicitationHandler = elicitation };
        }

        using var cts = new CancellationTokenSource(Timeout);
        return await McpClient.CreateAsync(transport, options, cancellationToken: cts.Token);
    }

    private static async Task<CallToolResult> CallAsync(McpClient client, string tool, Dictionary<string, object?>? arguments = null)
    {
        using var cts = new CancellationTokenSource(Timeout);
        return await client.CallToolAsync(tool, arguments, cancellationToken: cts.Token);
    }

    [Theory]
    [MemberData(nameof(InMemoryMcp.ProtocolVersions), MemberType = typeof(InMemoryMcp))]
    public async Task Test_server_enforces_its_policy_over_stdio(string? protocolVersion)
    {
        await using var client = await ConnectAsync(protocolVersion);

        var names = (await client.ListToolsAsync()).Select(t => t.Name).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["echo", "read_note", "send_payment", "transfer"], names);

        var echo = await CallAsync(client, "echo", new() { ["message"] = "hello" });
        Assert.NotEqual(true, echo.IsError);
        Assert.Equal("hello", WithPolicyTests.TextOf(echo));

        var note = await CallAsync(client, "read_note", new() { ["name"] = "shopping" });
        Assert.NotEqual(true, note.IsError);
        Assert.Contains("remember the milk", WithPolicyTests.TextOf(note), StringComparison.Ordinal);

        var small = await CallAsync(client, "transfer", new() { ["to"] = "savings", ["amount"] = 500 });
        Assert.NotEqual(true, small.IsError);
        Assert.Equal("transferred 500 to savings", WithPolicyTests.TextOf(small));

        var large = await CallAsync(client, "transfer", new() { ["to"] = "savings", ["amount"] = 5000 });
        Assert.True(large.IsError);
        Assert.Contains(".arguments.amount'", WithPolicyTests.TextOf(large), StringComparison.Ordinal);

        var delete = await CallAsync(client, "delete_everything");
        Assert.True(delete.IsError);
        Assert.Contains("deleting everything is never allowed", WithPolicyTests.TextOf(delete), StringComparison.Ordinal);

        // No elicitation capability: HIGH is denied.
        var payment = await CallAsync(client, "send_payment", new() { ["to"] = "bob", ["amount"] = 10 });
        Assert.True(payment.IsError);
        Assert.StartsWith(Denials.Prefix, WithPolicyTests.TextOf(payment), StringComparison.Ordinal);

        var unknown = await Assert.ThrowsAsync<McpProtocolException>(() => CallAsync(client, "format_disk"));
        Assert.Equal(McpErrorCode.InvalidParams, unknown.ErrorCode);
    }

    [Theory]
    [MemberData(nameof(InMemoryMcp.ProtocolVersions), MemberType = typeof(InMemoryMcp))]
    public async Task Test_server_runs_a_payment_the_user_approves_over_stdio(string? protocolVersion)
    {
        string? message = null;
        await using var client = await ConnectAsync(protocolVersion, (p, _) =>
        {
            message = p?.Message;
            return ValueTask.FromResult(new ElicitResult
            {
                Action = "accept",
                Content = new Dictionary<string, JsonElement> { [ElicitationApprovalHandler.ApproveField] = JsonSerializer.SerializeToElement(true) },
            });
        });

        var payment = await CallAsync(client, "send_payment", new() { ["to"] = "bob", ["amount"] = 10 });
        Assert.NotNull(message);
        Assert.Contains("test/send_payment", message!, StringComparison.Ordinal);
        Assert.NotEqual(true, payment.IsError);
        Assert.Equal("sent 10 to bob", WithPolicyTests.TextOf(payment));
    }
}
