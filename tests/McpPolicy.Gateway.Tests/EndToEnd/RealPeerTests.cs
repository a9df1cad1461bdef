using System.Text.Json;

namespace McpPolicy.Gateway.Tests.EndToEnd;

/// <summary>
/// The real gateway process between the official TypeScript SDK client and the npm reference servers (tests/peers): every check the
/// scripts print must pass.
/// </summary>
public sealed class RealPeerTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mcp-policy-e2e-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public async Task Filesystem_server_behind_the_gateway_reads_inside_and_denies_traversal_outside_paths_symlink_escapes_and_writes()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // The symlink case needs a Unix symlink.
        }

        var allowed = Directory.CreateDirectory(Path.Combine(_dir.FullName, "allowed")).FullName;
        var outside = Directory.CreateDirectory(Path.Combine(_dir.FullName, "outside")).FullName;
        await File.WriteAllTextAsync(Path.Combine(allowed, "hello.txt"), "hello from the allowed folder");
        await File.WriteAllTextAsync(Path.Combine(outside, "secret.txt"), "top secret");
        File.CreateSymbolicLink(Path.Combine(allowed, "escape"), Path.Combine(outside, "secret.txt"));
        var policy = Write("fs.json", $$"""
            { "version": 1, "defaults": { "risk": "Medium" }, "servers": { "fs": { "trusted": false } },
              "tools": [
                { "match": "fs/read_*", "risk": "Low", "arguments": { "path": { "path": { "allow": [{{JsonSerializer.Serialize(allowed + "/**")}}] } } } },
                { "match": "fs/list_*", "risk": "Low" },
                { "match": "fs/write_file", "risk": "High" }, { "match": "fs/edit_file", "risk": "High" },
                { "match": "fs/move_file", "risk": "High" }, { "match": "fs/create_directory", "risk": "High" } ] }
            """);

        var (code, output, error) = await Peers.RunAsync(
            ["node", Path.Combine(Peers.Directory, "gateway-filesystem.mjs"), allowed, outside, "--",
             .. Peers.Gateway("run", "--policy", policy, "--server-id", "fs", "--", "node", Peers.ServerBin("server-filesystem"), allowed)],
            Timeout);

        AssertChecks(output, error, code, "read-inside-works", "dotdot-traversal-denied", "absolute-outside-denied", "symlink-escape-denied", "write-without-approval-denied", "child-error-passes-unchanged", "every-tool-listed");
        Assert.False(File.Exists(Path.Combine(allowed, "new.txt")));
    }

    [Fact]
    public async Task Everything_server_behind_the_gateway_shows_tools_per_policy_passes_results_and_survives_notifications()
    {
        var policy = Write("ev.json", """
            { "version": 1, "defaults": { "risk": "Low" }, "servers": { "ev": { "trusted": true } },
              "tools": [ { "match": "ev/get-env", "risk": "Block", "reason": "environment variables may hold secrets" },
                         { "match": "ev/trigger-long-running-operation", "risk": "Block" } ] }
            """);

        var (code, output, error) = await Peers.RunAsync(
            ["node", Path.Combine(Peers.Directory, "gateway-everything.mjs"), "--",
             .. Peers.Gateway("run", "--policy", policy, "--server-id", "ev", "--", "node", Peers.ServerBin("server-everything"))],
            Timeout);

        AssertChecks(output, error, code, "visible-per-policy", "hidden-get-env-denied", "result-echo-passes", "result-get-sum-passes", "result-get-tiny-image-passes", "notifications-do-not-break-session", "prompts-pass", "resources-pass", "resource-read-passes");
    }

    [Fact]
    public async Task Everything_server_pinned_then_run_with_the_lock_passes_every_check()
    {
        var policy = Write("ev.json", """
            { "version": 1, "defaults": { "risk": "Low" }, "servers": { "ev": { "trusted": true } },
              "tools": [ { "match": "ev/get-env", "risk": "Block" }, { "match": "ev/trigger-long-running-operation", "risk": "Block" } ] }
            """);
        var lockPath = Path.Combine(_dir.FullName, "mcp-policy.lock.json");
        var pin = await Peers.RunAsync([.. Peers.Gateway("pin", "--server-id", "ev", "--lock", lockPath, "--", "node", Peers.ServerBin("server-everything"))], Timeout);
        Assert.True(pin.Code == 0, pin.Error);

        var (code, output, error) = await Peers.RunAsync(
            ["node", Path.Combine(Peers.Directory, "gateway-everything.mjs"), "--",
             .. Peers.Gateway("run", "--policy", policy, "--server-id", "ev", "--lock", lockPath, "--", "node", Peers.ServerBin("server-everything"))],
            Timeout);

        AssertChecks(output, error, code, "visible-per-policy", "result-echo-passes", "result-get-sum-passes");
    }

    [Fact]
    public async Task Everything_server_run_with_an_empty_lock_blocks_every_unpinned_tool()
    {
        var policy = Write("ev.json", """{ "version": 1, "defaults": { "risk": "Low" }, "servers": { "ev": { "trusted": true } } }""");
        var lockPath = Path.Combine(_dir.FullName, "mcp-policy.lock.json");

        var (code, output, _) = await Peers.RunAsync(
            ["node", Path.Combine(Peers.Directory, "gateway-everything.mjs"), "--",
             .. Peers.Gateway("run", "--policy", policy, "--server-id", "ev", "--lock", lockPath, "--", "node", Peers.ServerBin("server-everything"))],
            Timeout);

        Assert.Equal(1, code);
        Assert.Contains("\"check\":\"result-echo-passes\",\"ok\":false", output, StringComparison.Ordinal);
    }

    private static void AssertChecks(string output, string error, int code, params string[] required)
    {
        var results = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            using var json = JsonDocument.Parse(line);
            results[json.RootElement.GetProperty("check").GetString()!] = json.RootElement.GetProperty("ok").GetBoolean();
        }

        Assert.True(code == 0, $"exit code {code}\n{output}\n{Peers.Tail(error)}");
        foreach (var name in required)
        {
            Assert.True(results.TryGetValue(name, out var ok) && ok, $"check '{name}' missing or failed\n{output}\n{Peers.Tail(error)}");
        }

        Assert.All(results, r => Assert.True(r.Value, r.Key));
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir.FullName, name);
        File.WriteAllText(path, text);
        return path;
    }
}
