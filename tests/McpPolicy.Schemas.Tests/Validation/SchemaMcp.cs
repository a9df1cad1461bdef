using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpPolicy.Schemas.Tests.Validation;

/// <summary>A real MCP server with <c>WithPolicy</c> and <c>AddSchemaValidation</c>, and a real client, joined by in-memory pipes.</summary>
internal sealed class SchemaMcp : IAsyncDisposable
{
    private readonly InMemoryMcp _mcp;

    private SchemaMcp(InMemoryMcp mcp) => _mcp = mcp;

    public McpClient Client => _mcp.Client;

    /// <summary>Starts a server with the policy <paramref name="policyJson"/> and the tools <paramref name="tools"/> adds.</summary>
    public static async Task<SchemaMcp> StartAsync(string policyJson, Action<IMcpServerBuilder> tools) =>
        new(await InMemoryMcp.StartAsync(
            (services, mcp) =>
            {
                services.AddMcpPolicy(o => PolicyLoader.ApplyJson(o, policyJson)).AddSchemaValidation();
                tools(mcp);
                mcp.WithPolicy();
            },
            protocolVersion: null));

    public async Task<CallToolResult> CallAsync(string tool, Dictionary<string, object?> arguments)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await Client.CallToolAsync(tool, arguments, cancellationToken: timeout.Token);
    }

    public static string Text(CallToolResult result) => Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text;

    public static string? RuleId(CallToolResult result) => result.Meta?[McpPolicyMetaKeys.RuleId]?.GetValue<string>();

    public ValueTask DisposeAsync() => _mcp.DisposeAsync();
}
