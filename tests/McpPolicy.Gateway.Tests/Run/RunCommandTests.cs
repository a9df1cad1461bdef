namespace McpPolicy.Gateway.Tests.Run;

/// <summary><c>mcp-policy run</c> rejects a bad command line before it starts anything, with exit code 2 and the reason.</summary>
public sealed class RunCommandTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mcp-policy-run-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Theory]
    [InlineData("--server-id", "a/b", "--server-id 'a/b' is not valid")]
    [InlineData("--timeout", "0", "--timeout must be a positive number")]
    [InlineData("--startup-timeout", "-1", "--startup-timeout must be a positive number")]
    public async Task A_bad_option_is_a_usage_error_naming_it(string option, string value, string message)
    {
        var policy = Path.Combine(_dir.FullName, "p.json");
        await File.WriteAllTextAsync(policy, """{ "version": 1 }""");

        var (code, error) = await RunAsync("run", "--policy", policy, option, value, "--", "node", "server.js");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_policy_file_is_a_usage_error()
    {
        var (code, error) = await RunAsync("run", "--policy", Path.Combine(_dir.FullName, "none.json"), "--", "node", "server.js");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("none.json' does not exist", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_policy_is_a_usage_error_with_the_problem()
    {
        var policy = Path.Combine(_dir.FullName, "p.json");
        await File.WriteAllTextAsync(policy, """{ "version": 1, "defaults": { "risk": "Extreme" } }""");

        var (code, error) = await RunAsync("run", "--policy", policy, "--", "node", "server.js");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("Extreme", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreadable_lock_file_is_a_usage_error()
    {
        var policy = Path.Combine(_dir.FullName, "p.json");
        await File.WriteAllTextAsync(policy, """{ "version": 1 }""");
        var lockFile = Path.Combine(_dir.FullName, "mcp-policy.lock.json");
        await File.WriteAllTextAsync(lockFile, "{ not json");

        var (code, error) = await RunAsync("run", "--policy", policy, "--lock", lockFile, "--", "node", "server.js");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("mcp-policy:", error, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await GatewayCli.RunAsync(args, output, error);
        Assert.Equal(string.Empty, output.ToString());
        return (code, error.ToString());
    }
}
