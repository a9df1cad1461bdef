namespace McpPolicy.Gateway.Tests.EndToEnd;

/// <summary>The real gateway process in front of children that misbehave: each is reported on standard error and the gateway exits 3.</summary>
public sealed class FaultTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mcp-policy-fault-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public async Task A_child_that_exits_at_once_is_reported_with_its_exit_code_and_standard_error()
    {
        var (code, output, error) = await RunGatewayAsync("node", "-e", "process.stderr.write('cannot open the database\\n'); process.exit(7)");

        Assert.Equal(3, code);
        Assert.Equal(string.Empty, output);
        Assert.Contains("did not start", error, StringComparison.Ordinal);
        Assert.Contains("exited with code 7", error, StringComparison.Ordinal);
        Assert.Contains("cannot open the database", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_child_that_writes_garbage_to_standard_output_is_reported()
    {
        var (code, output, error) = await RunGatewayAsync("node", "-e", "setInterval(() => console.log('this is not json-rpc'), 5)");

        Assert.Equal(3, code);
        Assert.Equal(string.Empty, output);
        Assert.Contains("did not start", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_child_that_floods_standard_output_without_line_breaks_is_stopped()
    {
        var (code, output, error) = await RunGatewayAsync("node", "-e", "const s = 'x'.repeat(1 << 20); (function w() { process.stdout.write(s, w); })()");

        Assert.Equal(3, code);
        Assert.Equal(string.Empty, output);
        Assert.Contains("without a line break", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_program_that_does_not_exist_is_reported()
    {
        var (code, _, error) = await RunGatewayAsync("/no/such/mcp-server");

        Assert.Equal(3, code);
        Assert.Contains("/no/such/mcp-server", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_without_a_command_is_a_usage_error()
    {
        var policy = Path.Combine(_dir.FullName, "p.json");
        await File.WriteAllTextAsync(policy, """{ "version": 1 }""");

        var (code, _, error) = await Peers.RunAsync(Peers.Gateway("run", "--policy", policy), Timeout, input: string.Empty);

        Assert.Equal(2, code);
        Assert.Contains("Required argument missing for command: 'run'", error, StringComparison.Ordinal);
    }

    private async Task<(int Code, string Output, string Error)> RunGatewayAsync(params string[] child)
    {
        var policy = Path.Combine(_dir.FullName, "p.json");
        await File.WriteAllTextAsync(policy, """{ "version": 1, "defaults": { "risk": "Low" } }""");

        // Standard input stays open (no upstream message yet), as a client that waits for the server would keep it.
        return await Peers.RunAsync([.. Peers.Gateway("run", "--policy", policy, "--startup-timeout", "5", "--"), .. child], Timeout);
    }
}
