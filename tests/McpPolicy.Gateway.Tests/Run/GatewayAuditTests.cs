using System.Security.Cryptography;

namespace McpPolicy.Gateway.Tests.Run;

public sealed class GatewayAuditTests
{
    [Fact]
    public async Task With_an_audit_file_every_decision_is_recorded_in_a_chain_that_verifies()
    {
        var dir = Directory.CreateTempSubdirectory("mcp-policy-audit-");
        try
        {
            var key = RandomNumberGenerator.GetBytes(32);
            var keyFile = Path.Combine(dir.FullName, "audit.key");
            await File.WriteAllTextAsync(keyFile, Convert.ToBase64String(key));
            var auditPath = Path.Combine(dir.FullName, "audit.jsonl");

            await using (var gw = await GatewayHarness.StartAsync(configure: s => GatewayProxyTests.Copy(s, auditPath: auditPath, auditKeyFile: keyFile)))
            {
                await gw.Upstream.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "hello" });
                await gw.Upstream.CallToolAsync("delete_all", new Dictionary<string, object?>());
            }

            var files = AuditFileSink.ChainFiles(auditPath);
            Assert.NotEmpty(files);
            var result = AuditVerifier.Verify(files, key);
            Assert.True(result.IsValid, result.Message);
            Assert.True(result.Records >= 2, $"{result.Records} records");
            var text = string.Concat(files.Select(File.ReadAllText));
            Assert.Contains("\"serverId\":\"child\"", text, StringComparison.Ordinal);
            Assert.Contains("\"tool\":\"echo\"", text, StringComparison.Ordinal);
            Assert.Contains("\"tool\":\"delete_all\"", text, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task An_audit_file_without_a_key_is_a_usage_error()
    {
        var error = await Assert.ThrowsAsync<UsageException>(() => GatewayHarness.StartAsync(configure: s => GatewayProxyTests.Copy(s, auditPath: Path.Combine(Path.GetTempPath(), "never.jsonl"))));

        Assert.Contains("--audit-key-file", error.Message, StringComparison.Ordinal);
    }
}
