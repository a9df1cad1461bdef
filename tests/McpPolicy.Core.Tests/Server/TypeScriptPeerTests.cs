using System.Diagnostics;
using System.Text.Json;

namespace McpPolicy.Core.Tests.Server;

/// <summary>
/// A real non-.NET peer: the official TypeScript SDK client (tests/peers, installed by the test command) drives the
/// policy-enforced stdio TestServer and reports each check as a JSON line.
/// </summary>
public sealed class TypeScriptPeerTests
{
    [Fact]
    public async Task TypeScript_sdk_client_sees_allowed_blocked_hidden_and_unknown_tools_correctly()
    {
        var dll = StdioTestServerTests.TestServerDll();
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "McpPolicy.sln")))
        {
            root = root.Parent!;
        }

        var peers = Path.Combine(root.FullName, "tests", "peers");
        Assert.True(Directory.Exists(Path.Combine(peers, "node_modules", "@modelcontextprotocol", "sdk")), "The npm test peers are not installed: run `npm ci --prefix tests/peers` (test.sh does this).");

        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = peers,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("ts-client.mjs");
        start.ArgumentList.Add("dotnet");
        start.ArgumentList.Add(dll);

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        var lines = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var checks = lines
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.TryGetProperty("check", out _))
            .ToDictionary(e => e.GetProperty("check").GetString()!, e => e.GetProperty("ok").GetBoolean());

        string[] expected =
        [
            "list-hides-blocked-tool", "allowed-call-works", "constrained-call-within-limit-works", "blocked-call-is-error-with-reason",
            "hidden-tool-is-denied", "high-call-without-approval-is-denied", "unknown-tool-is-jsonrpc-error",
        ];
        foreach (var name in expected)
        {
            Assert.True(checks.TryGetValue(name, out var ok) && ok, $"check {name} failed or did not run.\nstdout:\n{string.Join('\n', lines)}\nstderr:\n{await stderr}");
        }

        Assert.Equal(0, process.ExitCode);
    }
}
