using System.Diagnostics;
using System.Text;

namespace McpPolicy.Gateway.Tests.EndToEnd;

/// <summary>Finds the npm test peers (tests/peers, installed by test.sh with <c>npm ci</c>) and the built gateway, and runs processes.</summary>
internal static class Peers
{
    public static string Root { get; } = FindRoot();

    public static string Directory => Path.Combine(Root, "tests", "peers");

    public static string ServerBin(string package)
    {
        var bin = Path.Combine(Directory, "node_modules", "@modelcontextprotocol", package, "dist", "index.js");
        Assert.True(File.Exists(bin), $"The npm test peers are not installed: run `npm ci --prefix tests/peers` (test.sh does this). Missing: {bin}");
        return bin;
    }

    /// <summary>The command line that starts the gateway: <c>dotnet McpPolicy.Gateway.dll</c> from the test output.</summary>
    public static string[] Gateway(params string[] args)
        => ["dotnet", typeof(GatewayCli).Assembly.Location, .. args];

    public static async Task<(int Code, string Output, string Error)> RunAsync(string[] command, TimeSpan timeout, string? input = null)
    {
        var start = new ProcessStartInfo(command[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in command.Skip(1))
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
        }

        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{string.Join(' ', command)}' did not finish in {timeout}; error so far: {Tail(await error)}");
        }
        finally
        {
            process.StandardInput.Close();
        }

        return (process.ExitCode, await output, await error);
    }

    public static string Tail(string text) => text.Length > 4000 ? text[^4000..] : text;

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "tests", "peers", "package.json")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("tests/peers/package.json not found above " + AppContext.BaseDirectory);
    }
}
