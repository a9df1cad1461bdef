using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Chains.Tests.Flows;

/// <summary>Flow rules inside a real MCP server, called by a real MCP client over in-memory pipes.</summary>
public sealed class FlowEndToEndTests
{
    private static Task<InMemoryMcp> StartAsync(string? protocolVersion) => InMemoryMcp.StartAsync(
        (services, mcp) =>
        {
            services.AddMcpPolicy(o => o.Flows.Taint.Arguments["server/send_money"] = new Dictionary<string, RiskLevel> { ["recipient"] = RiskLevel.Block })
                .AddFlowRules(f => f.Chain("balance-then-send", c => c.Then("server/get_balance").Then("server/send_money").Risk(RiskLevel.High)));
            mcp.WithTools<FlowTools>().WithPolicy(o => o.ConversationIdResolver = r => ConversationIdentity.FromMeta(r.Params?.Meta));
        },
        protocolVersion);

    private static async Task<CallToolResult> CallAsync(McpClient client, string tool, JsonObject meta, Dictionary<string, object?>? arguments = null)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await client.CallToolAsync(tool, arguments, options: new RequestOptions { Meta = (JsonObject)meta.DeepClone() }, cancellationToken: cts.Token);
    }

    private static string TextOf(CallToolResult result) => string.Concat(result.Content.OfType<TextContentBlock>().Select(b => b.Text));

    private static JsonObject Conversation(string id) => new() { [McpPolicyMetaKeys.ConversationId] = id };

    [Theory]
    [MemberData(nameof(InMemoryMcp.ProtocolVersions), MemberType = typeof(InMemoryMcp))]
    public async Task Injected_account_number_copied_from_mail_into_a_transfer_is_blocked_naming_the_mail(string? protocolVersion)
    {
        await using var mcp = await StartAsync(protocolVersion);
        var conversation = Conversation("victim");

        Assert.Contains(FlowTools.Iban, TextOf(await CallAsync(mcp.Client, "read_inbox", conversation)), StringComparison.Ordinal);
        var ok = await CallAsync(mcp.Client, "send_money", conversation, new() { ["recipient"] = "DE89370400440532013000", ["amount"] = 5 });
        Assert.NotEqual(true, ok.IsError);

        var attack = await CallAsync(mcp.Client, "send_money", conversation, new() { ["recipient"] = FlowTools.Iban.ToLowerInvariant(), ["amount"] = 5 });
        Assert.True(attack.IsError);
        var text = TextOf(attack);
        Assert.Contains("rule 'taint'", text, StringComparison.Ordinal);
        Assert.Contains("argument 'recipient' contains text from the result of call #1 server/read_inbox", text, StringComparison.Ordinal);

        // Another conversation never read that mail.
        var elsewhere = await CallAsync(mcp.Client, "send_money", Conversation("other"), new() { ["recipient"] = FlowTools.Iban, ["amount"] = 5 });
        Assert.NotEqual(true, elsewhere.IsError);
    }

    [Theory]
    [MemberData(nameof(InMemoryMcp.ProtocolVersions), MemberType = typeof(InMemoryMcp))]
    public async Task Sink_after_untrusted_mail_and_private_balance_needs_an_approval_the_client_cannot_give(string? protocolVersion)
    {
        await using var mcp = await StartAsync(protocolVersion);

        // A W3C trace id scopes the conversation when the host sets no explicit id.
        var trace = new JsonObject { [ConversationIdentity.TraceParentMetaKey] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" };
        await CallAsync(mcp.Client, "note", trace, new() { ["text"] = "hi" });
        await CallAsync(mcp.Client, "read_inbox", trace);
        await CallAsync(mcp.Client, "get_balance", trace);
        var send = await CallAsync(mcp.Client, "send_money", trace, new() { ["recipient"] = "DE89370400440532013000", ["amount"] = 5 });

        Assert.True(send.IsError);
        var text = TextOf(send);
        Assert.Contains("flow:untrustedThenPrivateThenSink", text, StringComparison.Ordinal);
        Assert.Contains("approval", text, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(InMemoryMcp.ProtocolVersions), MemberType = typeof(InMemoryMcp))]
    public async Task Chain_from_code_raises_the_completing_call(string? protocolVersion)
    {
        await using var mcp = await StartAsync(protocolVersion);
        var conversation = Conversation("chain");

        await CallAsync(mcp.Client, "get_balance", conversation);
        var send = await CallAsync(mcp.Client, "send_money", conversation, new() { ["recipient"] = "DE89370400440532013000", ["amount"] = 5 });

        Assert.True(send.IsError);
        Assert.Contains("chain:balance-then-send", TextOf(send), StringComparison.Ordinal);
    }
}
