using McpPolicy;

namespace McpPolicy.Gateway.Tests;

/// <summary><c>mcp-policy audit verify</c> on a real audit chain: OK exits 0, a changed byte exits 1 naming the line, bad usage exits 2.</summary>
public sealed class AuditVerifyCommandTests : IDisposable
{
    private static readonly byte[] Key = Enumerable.Range(100, 32).Select(i => (byte)i).ToArray();

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("mcppolicy-gateway-audit-");

    public void Dispose() => _folder.Delete(recursive: true);

    private string AuditPath => Path.Combine(_folder.FullName, "audit.jsonl");

    private async Task<IReadOnlyList<string>> WriteChainAsync(int records)
    {
        var options = new AuditOptions { Path = AuditPath, Key = Convert.ToBase64String(Key), Fsync = AuditFsyncPolicy.None };
        await using (var sink = new AuditFileSink(options))
        {
            for (var i = 0; i < records; i++)
            {
                await sink.WriteAsync(new AuditRecord { ServerId = "fs", Tool = "read_file", RequestId = i.ToString(System.Globalization.CultureInfo.InvariantCulture), Time = DateTimeOffset.UnixEpoch }, CancellationToken.None);
            }
        }

        return AuditFileSink.ChainFiles(AuditPath);
    }

    private static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await GatewayCli.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task An_untouched_chain_verifies_with_the_key_or_a_key_file()
    {
        var files = await WriteChainAsync(5);
        var keyFile = Path.Combine(_folder.FullName, "key.txt");
        await File.WriteAllTextAsync(keyFile, Convert.ToBase64String(Key) + "\n");

        var (code, output, error) = await Run("audit", "verify", files[0], "--key", Convert.ToBase64String(Key));
        Assert.Equal(ExitCodes.Ok, code);
        Assert.StartsWith("OK: ", output, StringComparison.Ordinal);
        Assert.Contains("5 records", output, StringComparison.Ordinal);
        Assert.Empty(error);

        (code, output, _) = await Run("audit", "verify", AuditPath, "--key-file", keyFile);
        Assert.Equal(ExitCodes.Ok, code);
        Assert.StartsWith("OK: ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_changed_byte_fails_and_names_the_line()
    {
        var file = (await WriteChainAsync(5))[0];
        var lines = await File.ReadAllLinesAsync(file);
        lines[3] = lines[3].Replace("read_file", "read_fila", StringComparison.Ordinal);
        await File.WriteAllTextAsync(file, string.Join("\n", lines) + "\n");

        var (code, output, _) = await Run("audit", "verify", file, "--key", Convert.ToBase64String(Key));
        Assert.Equal(ExitCodes.Findings, code);
        Assert.Contains($"FAILED: Modified at {file}:4", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_wrong_key_is_reported_as_such()
    {
        var file = (await WriteChainAsync(2))[0];
        var (code, output, _) = await Run("audit", "verify", file, "--key", Convert.ToBase64String(new byte[32]));
        Assert.Equal(ExitCodes.Findings, code);
        Assert.Contains("WrongKey", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--key", "c2hvcnQ=", "is 5 bytes")]
    [InlineData(null, null, "exactly one of --key KEY or --key-file FILE")]
    public async Task Bad_usage_exits_2_with_a_clear_message(string? option, string? value, string expected)
    {
        var file = (await WriteChainAsync(1))[0];
        string[] args = option is null ? ["audit", "verify", file] : ["audit", "verify", file, option, value!];
        var (code, _, error) = await Run(args);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }
}
