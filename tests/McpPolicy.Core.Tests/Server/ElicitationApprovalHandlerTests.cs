using System.ComponentModel;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpPolicy.Core.Tests.Server;

/// <summary>
/// The handler against a real client: a probe tool hands it an approval request whose invocation carries the request's
/// <see cref="McpServer"/>, exactly as the server filter does, and returns the answer as text.
/// </summary>
public sealed class ElicitationApprovalHandlerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static Task<InMemoryMcp> StartAsync(string? protocolVersion, Func<ElicitRequestParams?, CancellationToken, ValueTask<ElicitResult>>? elicitation)
        => InMemoryMcp.StartAsync(
            (services, mcp) =>
            {
                services.AddMcpPolicy();
                mcp.WithTools<ApprovalProbeTools>().WithPolicy();
            },
            protocolVersion,
            elicitation);

    private static async Task<string> ProbeAsync(InMemoryMcp mcp, string? user = null)
    {
        using var cts = new CancellationTokenSource(Timeout);
        var result = await mcp.Client.CallToolAsync("approval_probe", new Dictionary<string, object?> { ["user"] = user }, cancellationToken: cts.Token);
        Assert.NotEqual(true, result.IsError);
        return WithPolicyTests.TextOf(result);
    }

    private static ValueTask<ElicitResult> Answer(string action, bool? approve = null, string? comment = null)
    {
        var content = new Dictionary<string, JsonElement>();
        if (approve is { } a)
        {
            content[ElicitationApprovalHandler.ApproveField] = JsonSerializer.SerializeToElement(a);
        }

        if (comment is not null)
        {
            content[ElicitationApprovalHandler.CommentField] = JsonSerializer.SerializeToElement(comment);
        }

        return ValueTask.FromResult(new ElicitResult { Action = action, Content = action == "accept" ? content : null });
    }

    [Theory]
    [MemberData(nameof(InMemoryMcp.ProtocolVersions), MemberType = typeof(InMemoryMcp))]
    public async Task Accept_with_approve_true_approves_as_the_default_approver(string? protocolVersion)
    {
        ElicitRequestParams? asked = null;
        await using var mcp = await StartAsync(protocolVersion, (p, _) =>
        {
            asked = p;
            return Answer("accept", approve: true, comment: "looks fine");
        });

        Assert.Equal("approved by mcp-client-user: looks fine", await ProbeAsync(mcp));

        Assert.NotNull(asked);
        Assert.Contains("probe/send_payment", asked!.Message, StringComparison.Ordinal);
        Assert.Contains("Risk: High", asked.Message, StringComparison.Ordinal);
        Assert.Contains("payments need a person (payments)", asked.Message, StringComparison.Ordinal);
        Assert.Contains("{\"amount\":250,\"to\":\"bob\"}", asked.Message, StringComparison.Ordinal);
        Assert.NotNull(asked.RequestedSchema);
        Assert.IsType<ElicitRequestParams.BooleanSchema>(asked.RequestedSchema!.Properties[ElicitationApprovalHandler.ApproveField]);
        Assert.Contains(ElicitationApprovalHandler.ApproveField, asked.RequestedSchema.Required!);
    }

    [Theory]
    [MemberData(nameof(InMemoryMcp.ProtocolVersions), MemberType = typeof(InMemoryMcp))]
    public async Task Approver_is_the_principal_name_when_there_is_one(string? protocolVersion)
    {
        await using var mcp = await StartAsync(protocolVersion, (_, _) => Answer("accept", approve: true));
        Assert.Equal("approved by alice: ", await ProbeAsync(mcp, user: "alice"));
    }

    [Theory]
    [MemberData(nameof(InMemoryMcp.ProtocolVersions), MemberType = typeof(InMemoryMcp))]
    public async Task Accept_without_approve_is_a_denial(string? protocolVersion)
    {
        await using var mcp = await StartAsync(protocolVersion, (_, _) => Answer("accept", approve: false));
        Assert.Equal("denied by mcp-client-user: the user did not approve", await ProbeAsync(mcp));
    }

    [Theory]
    [MemberData(nameof(InMemoryMcp.ProtocolVersions), MemberType = typeof(InMemoryMcp))]
    public async Task Decline_is_a_denial(string? protocolVersion)
    {
        await using var mcp = await StartAsync(protocolVersion, (_, _) => Answer("decline"));
        Assert.Equal("denied by mcp-client-user: the user declined", await ProbeAsync(mcp));
    }

    [Theory]
    [MemberData(nameof(InMemoryMcp.ProtocolVersions), MemberType = typeof(InMemoryMcp))]
    public async Task Cancel_is_a_denial(string? protocolVersion)
    {
        await using var mcp = await StartAsync(protocolVersion, (_, _) => Answer("cancel"));
        Assert.Equal("denied by mcp-client-user: the user dismissed the request", await ProbeAsync(mcp));
    }

    [Theory]
    [MemberData(nameof(InMemoryMcp.ProtocolVersions), MemberType = typeof(InMemoryMcp))]
    public async Task Client_without_elicitation_is_not_asked_and_the_call_is_denied(string? protocolVersion)
    {
        await using var mcp = await StartAsync(protocolVersion, elicitation: null);
        Assert.StartsWith("denied by elicitation-unsupported:", await ProbeAsync(mcp), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Call_without_an_mcp_server_in_its_items_is_denied()
    {
        var handler = new ElicitationApprovalHandler();
        var response = await handler.RequestApprovalAsync(ApprovalProbeTools.Request(new ToolInvocationContext("probe", "send_payment")), CancellationToken.None);
        Assert.False(response.IsApproved);
        Assert.Equal(ElicitationApprovalHandler.UnsupportedApprover, response.Approver);
    }

    [Fact]
    public void Add_elicitation_approvals_registers_the_handler_once()
    {
        var services = new ServiceCollection();
        services.AddMcpPolicy().AddElicitationApprovals().AddElicitationApprovals();
        using var provider = services.BuildServiceProvider();
        Assert.IsType<ElicitationApprovalHandler>(Assert.Single(provider.GetServices<IApprovalHandler>()));
    }

    [McpServerToolType]
    public sealed class ApprovalProbeTools
    {
        internal static ApprovalRequest Request(ToolInvocationContext invocation)
        {
            var decision = new PolicyDecision(
                RiskLevel.High,
                [new PolicyReason("payments", "payments need a person", RiskLevel.High)],
                "v1");
            return new ApprovalRequest("probe", "send_payment", decision, "{\"amount\":250,\"to\":\"bob\"}", "digest-1", DateTimeOffset.UnixEpoch.AddDays(1))
            {
                Invocation = invocation,
                Principal = invocation.Principal,
            };
        }

        [McpServerTool(Name = "approval_probe"), ToolRisk(RiskLevel.Low), Description("Runs the elicitation handler and reports its answer.")]
        public static async Task<string> ApprovalProbe(McpServer server, string? user, CancellationToken cancellationToken)
        {
            var invocation = new ToolInvocationContext("probe", "send_payment")
            {
                Principal = user is null ? null : new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, user)], "test")),
            };
            invocation.Items[typeof(McpServer)] = server;
            var response = await new ElicitationApprovalHandler().RequestApprovalAsync(Request(invocation), cancellationToken);
            return $"{(response.IsApproved ? "approved" : "denied")} by {response.Approver}: {response.Comment}";
        }
    }
}
