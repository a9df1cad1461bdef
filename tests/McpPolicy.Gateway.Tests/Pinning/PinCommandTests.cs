using McpPolicy.Gateway.Tests.EndToEnd;
using McpPolicy.Schemas;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Gateway.Tests.Pinning;

/// <summary><c>pin</c> and <c>diff</c> as processes against the npm server-everything.</summary>
public sealed class PinCommandTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mcp-policy-pin-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public async Task Pin_writes_the_lock_diff_then_finds_no_drift_and_reports_a_changed_tool_with_exit_one()
    {
        var lockPath = Path.Combine(_dir.FullName, "mcp-policy.lock.json");
        string[] server = ["--", "node", Peers.ServerBin("server-everything")];

        var pin = await Peers.RunAsync([.. Peers.Gateway("pin", "--server-id", "ev", "--lock", lockPath, "--approved-by", "ci"), .. server], Timeout);
        Assert.True(pin.Code == 0, pin.Error);
        Assert.Matches("pinned [0-9]+ tool\\(s\\) of 'ev'", pin.Output);
        var locked = CatalogLockFile.Load(lockPath);
        Assert.True(locked.TryGetTool("ev", "echo", out var echo));
        Assert.Equal("ci", echo.ApprovedBy);

        var clean = await Peers.RunAsync([.. Peers.Gateway("diff", "--server-id", "ev", "--lock", lockPath), .. server], Timeout);
        Assert.True(clean.Code == 0, clean.Output + clean.Error);
        Assert.StartsWith("no drift", clean.Output, StringComparison.Ordinal);

        // The approved definition said something else: the live server now differs from the lock.
        var approved = echo.ToTool();
        var edited = new Tool { Name = approved.Name, Description = "An older description.", InputSchema = approved.InputSchema, Annotations = approved.Annotations };
        CatalogLockFile.Save(locked.SetTool("ev", LockedTool.Create(edited, "ci", DateTimeOffset.UtcNow)), lockPath);

        var drift = await Peers.RunAsync([.. Peers.Gateway("diff", "--server-id", "ev", "--lock", lockPath), .. server], Timeout);
        Assert.Equal(1, drift.Code);
        Assert.StartsWith("DRIFT: 1 difference(s)", drift.Output, StringComparison.Ordinal);
        Assert.Contains("~ ev/echo: changed", drift.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Diff_without_a_lock_file_is_a_usage_error()
    {
        var result = await Peers.RunAsync([.. Peers.Gateway("diff", "--server-id", "ev", "--lock", Path.Combine(_dir.FullName, "none.json"), "--", "node", "-e", "0")], Timeout);

        Assert.Equal(2, result.Code);
        Assert.Contains("mcp-policy pin", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pin_reports_a_server_that_fails_with_exit_three_and_leaves_no_lock()
    {
        var lockPath = Path.Combine(_dir.FullName, "mcp-policy.lock.json");

        var result = await Peers.RunAsync([.. Peers.Gateway("pin", "--server-id", "ev", "--lock", lockPath, "--", "node", "-e", "process.exit(4)")], Timeout);

        Assert.Equal(3, result.Code);
        Assert.Contains("exited with code 4", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(lockPath));
    }
}
