using McpPolicy.Core.Tests.Server;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Core.Tests.Audit;

/// <summary>The audit trail of a real MCP server (WithPolicy) called by a real MCP client over in-memory pipes.</summary>
public sealed class AuditEndToEndTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("mcppolicy-audit-e2e-");

    public void Dispose() => _folder.Delete(recursive: true);

    [Theory]
    [MemberData(nameof(InMemoryMcp.ProtocolVersions), MemberType = typeof(InMemoryMcp))]
    public async Task Every_call_through_a_real_server_leaves_one_chained_record(string? protocolVersion)
    {
        var path = Path.Combine(_folder.FullName, "audit.jsonl");
        await using (var mcp = await InMemoryMcp.StartAsync(
            (services, server) =>
            {
                services.AddMcpPolicy().AddAudit(o =>
                {
                    o.Path = path;
                    o.Key = AuditFiles.KeyBase64;
                    o.Arguments = AuditArgumentsMode.Full;
                });
                server.WithTools<RiskRatedTools>().WithPolicy(o => o.ServerId = "rated");
            },
            protocolVersion))
        {
            var low = await mcp.Client.CallToolAsync("low", new Dictionary<string, object?> { ["text"] = "hi" });
            var high = await mcp.Client.CallToolAsync("high_from_class");
            var blocked = await mcp.Client.CallToolAsync("declared_block");
            Assert.NotEqual(true, low.IsError);
            Assert.True(high.IsError);
            Assert.True(blocked.IsError);
        }

        var files = AuditFileSink.ChainFiles(path);
        var result = AuditVerifier.Verify(files, AuditFiles.Key);
        Assert.True(result.IsValid, result.ToString());
        var decisions = AuditFiles.ReadLines(files).Where(l => l.GetProperty("type").GetString() == "decision").ToList();
        Assert.Equal("low,high_from_class,declared_block", string.Join(",", decisions.Select(d => d.GetProperty("tool").GetString())));
        Assert.All(decisions, d => Assert.Equal("rated", d.GetProperty("serverId").GetString()));
        Assert.Equal("Allowed,Denied,Denied", string.Join(",", decisions.Select(d => d.GetProperty("outcome").GetString())));
        Assert.Equal("hi", decisions[0].GetProperty("arguments").GetProperty("text").GetString());
        Assert.True(decisions[0].TryGetProperty("requestId", out _));
        Assert.Equal(Text("low:hi").Length, decisions[0].GetProperty("result").GetProperty("size").GetInt64());
    }

    private static string Text(string text) => new TextContentBlock { Text = text }.Text;
}
