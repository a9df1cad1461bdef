using System.Diagnostics;

namespace McpPolicy.Gateway.Tests;

/// <summary>
/// The demo's audit file, checked with the command an operator would run: <c>mcp-policy audit verify</c> passes on the file the
/// Quickstart printed and fails once a byte of it is changed.
/// </summary>
public sealed class QuickstartAuditVerifyTests
{
    [Fact]
    public async Task Audit_verify_passes_on_the_quickstart_audit_file_and_fails_after_a_byte_is_changed()
    {
        var (exit, output) = await RunQuickstartAsync();
        Assert.True(exit == 0, output);
        var path = Printed(output, "audit: ");
        var keyFile = Printed(output, "audit key file: ");
        try
        {
            var (code, stdout, stderr) = await Cli("audit", "verify", path, "--key-file", keyFile);
            Assert.True(code == ExitCodes.Ok, stdout + stderr);
            Assert.StartsWith("OK: ", stdout, StringComparison.Ordinal);

            var bytes = await File.ReadAllBytesAsync(path);
            var at = bytes.Length / 2;
            bytes[at] = (byte)(bytes[at] == (byte)'7' ? '8' : '7');
            await File.WriteAllBytesAsync(path, bytes);

            (code, stdout, stderr) = await Cli("audit", "verify", path, "--key-file", keyFile);
            Assert.True(code == ExitCodes.Findings, stdout + stderr);
            Assert.DoesNotContain("OK: ", stdout, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    private static async Task<(int Code, string Out, string Err)> Cli(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await GatewayCli.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private static string Printed(string output, string prefix)
    {
        var line = output.Split('\n').Select(l => l.TrimEnd('\r')).SingleOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        Assert.True(line is not null, $"The output has no line starting with '{prefix}':\n{output}");
        return line![prefix.Length..];
    }

    private static async Task<(int ExitCode, string Output)> RunQuickstartAsync()
    {
        var binaries = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
        var root = new DirectoryInfo(binaries);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "McpPolicy.sln")))
        {
            root = root.Parent;
        }

        Assert.NotNull(root);
        var relative = Path.GetRelativePath(Path.Combine(root.FullName, "tests", "McpPolicy.Gateway.Tests"), binaries);
        var dll = Path.Combine(root.FullName, "samples", "Quickstart", relative, "Quickstart.dll");
        Assert.True(File.Exists(dll), $"The Quickstart sample was not built: {dll} is missing. Build McpPolicy.sln first.");

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
