using System.Diagnostics;

namespace McpPolicy.Core.Tests.Samples;

/// <summary>The samples are documentation that runs: README's demo and the rule sample must keep working.</summary>
public sealed class SampleProgramTests
{
    private static string SampleDll(string name)
    {
        var output = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
        var root = new DirectoryInfo(output);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "McpPolicy.sln")))
        {
            root = root.Parent;
        }

        Assert.NotNull(root);
        var relative = Path.GetRelativePath(Path.Combine(root.FullName, "tests", "McpPolicy.Core.Tests"), output);
        var dll = Path.Combine(root.FullName, "samples", name, relative, name + ".dll");
        Assert.True(File.Exists(dll), $"The sample was not built: {dll} is missing. Build McpPolicy.sln first.");
        return dll;
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string dll, string? stdin = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        using var process = Process.Start(start)!;
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    [Fact]
    public async Task Quickstart_demo_shows_every_risk_level_and_both_approval_outcomes()
    {
        var (exit, output) = await RunAsync(SampleDll("Quickstart"));

        Assert.True(exit == 0, output);
        Assert.Contains("All four risk levels appeared, one HIGH call was approved and one denied.", output, StringComparison.Ordinal);
        Assert.Contains("close_account is hidden by policy", output, StringComparison.Ordinal);
        Assert.Contains("JSON-RPC error", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Quickstart_writes_an_audit_file_that_verifies_and_fails_once_a_byte_is_changed()
    {
        var (exit, output) = await RunAsync(SampleDll("Quickstart"));

        Assert.True(exit == 0, output);
        var path = Printed(output, "audit: ");
        var keyFile = Printed(output, "audit key file: ");
        try
        {
            var key = AuditKey.Parse(File.ReadAllText(keyFile));
            var result = AuditVerifier.Verify([path], key);
            Assert.True(result.IsValid, result.ToString());
            Assert.True(result.Records >= 8, result.ToString());
            Assert.Contains("\"tool\":\"send_money\"", File.ReadAllText(path), StringComparison.Ordinal);

            var bytes = File.ReadAllBytes(path);
            var at = bytes.Length / 2;
            bytes[at] = (byte)(bytes[at] == (byte)'7' ? '8' : '7');
            File.WriteAllBytes(path, bytes);
            var tampered = AuditVerifier.Verify([path], key);
            Assert.False(tampered.IsValid);
            Assert.Equal(path, tampered.File);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    private static string Printed(string output, string prefix)
    {
        var line = output.Split('\n').Select(l => l.TrimEnd('\r')).SingleOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        Assert.True(line is not null, $"The output has no line starting with '{prefix}':\n{output}");
        return line![prefix.Length..];
    }

    [Fact]
    public async Task CustomRules_sample_blocks_secrets_and_fails_closed_on_a_broken_rule()
    {
        var (exit, output) = await RunAsync(SampleDll("CustomRules"));

        Assert.True(exit == 0, output);
        Assert.Contains("no-secrets-in-arguments: the arguments contain a private key", output, StringComparison.Ordinal);
        Assert.Contains("broken-rule: rule 'broken-rule' failed while checking this call, so the call is blocked", output, StringComparison.Ordinal);
        Assert.Contains("bulk-email: email to ten or more people needs approval", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("y\n", "write_file   ran")]
    [InlineData("n\n", "write_file   DENIED")]
    [InlineData("", "write_file   DENIED")]
    public async Task PolicyHost_sample_enforces_on_the_host_and_asks_at_the_console(string answer, string expected)
    {
        var (exit, output) = await RunAsync(SampleDll("PolicyHost"), answer);

        Assert.True(exit == 0, output);
        Assert.Contains(expected, output, StringComparison.Ordinal);
        Assert.Contains("read_file    DENIED Denied by policy (rule 'tools[0].arguments.path')", output, StringComparison.Ordinal);
        Assert.Contains("run_command  DENIED Denied by policy (rule 'tools[2]')", output, StringComparison.Ordinal);
    }
}
