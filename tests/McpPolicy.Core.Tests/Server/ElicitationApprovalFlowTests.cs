using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Core.Tests.Server;

/// <summary>HIGH calls through the whole server path: policy filter, decision filter, elicitation handler, tool.</summary>
public sealed class ElicitationApprovalFlowTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static Task<InMemoryMcp> StartAsync(string? protocolVersion, Func<ElicitRequestParams?, CancellationToken, ValueTask<ElicitResult>>? elicitation)
        => InMemoryMcp.StartAsync(
            (services, mcp) =>
            {
                services.AddMcpPolicy().AddElicitationApprovals();
                mcp.WithTools<RiskRatedTools>().WithPolicy();
            },
            protocolVersion,
            elicitation);

    private static async Task<CallToolResult> CallHighAsync(InMemoryMcp mcp)
    {
        using var cts = new CancellationTokenSource(Timeout);
        return await mcp.Client.CallToolAsync("high_from_class", cancellationToken: cts.Token);
    }

    private static ValueTask<ElicitResult> Approve(ElicitRequestParams? request, CancellationToken cancellationToken)
        => ValueTask.FromResult(new ElicitResult
        {
            Action = "accept",
            Content = new Dictionary<string, JsonElement> { [ElicitationApprovalHandler.ApproveField] = JsonSerializer.SerializeToElement(true) },
        });

    [Theory]
    [MemberData(nameof(InMemoryMcp.ProtocolVersions), MemberType = typeof(InMemoryMcp))]
    public async Task High_call_runs_when_the_user_approves_through_elicitation(string? protocolVersion)
    {
        var asked = 0;
        await using var mcp = await StartAsync(protocolVersion, (p, ct) =>
        {
            Interlocked.Increment(ref asked);
            return Approve(p, ct);
        });

        var result = await CallHighAsync(mcp);
        Assert.Equal(1, asked);
        Assert.NotEqual(true, result.IsError);
        Assert.Equal("ran high_from_class", WithPolicyTests.TextOf(result));
    }

    [Theory]
    [MemberData(nameof(InMemoryMcp.ProtocolVersions), MemberType = typeof(InMemoryMcp))]
    public async Task High_call_is_denied_when_the_user_declines(string? protocolVersion)
    {
        await using var mcp = await StartAsync(protocolVersion, (_, _) => ValueTask.FromResult(new ElicitResult { Action = "decline" }));
        var result = await CallHighAsync(mcp);
        Assert.True(result.IsError);
        Assert.StartsWith(Denials.Prefix, WithPolicyTests.TextOf(result), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(InMemoryMcp.ProtocolVersions), MemberType = typeof(InMemoryMcp))]
    public async Task High_call_is_denied_when_the_client_cannot_elicit(string? protocolVersion)
    {
        await using var mcp = await StartAsync(protocolVersion, elicitation: null);
        var result = await CallHighAsync(mcp);
        Assert.True(result.IsError);
        Assert.StartsWith(Denials.Prefix, WithPolicyTests.TextOf(result), StringComparison.Ordinal);
    }
}
