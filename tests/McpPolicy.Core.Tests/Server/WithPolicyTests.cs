using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpPolicy.Core.Tests.Server;

public sealed class WithPolicyTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static void TestPolicy(McpPolicyOptions o)
    {
        o.Tools.Add(new ToolPolicy("*/wipe", RiskLevel.Block) { Reason = "wiping is not allowed here" });
        var transfer = new ToolPolicy("*/transfer", RiskLevel.Low);
        transfer.Arguments["amount"] = new ArgumentCondition { Max = 1000 };
        o.Tools.Add(transfer);
    }

    private static Task<InMemoryMcp> StartAsync(string? protocolVersion, Action<McpPolicyServerOptions>? server = null, Action<McpPolicyBuilder>? policy = null)
        => InMemoryMcp.StartAsync(
            (services, mcp) =>
            {
                var builder = services.AddMcpPolicy(TestPolicy);
                policy?.Invoke(builder);
                mcp.WithTools<RiskRatedTools>().WithPolicy(server);
            },
            protocolVersion);

    private static async Task<CallToolResult> CallAsync(McpClient client, string tool, Dictionary<string, object?>? arguments = null, RequestOptions? options = null)
    {
        using var cts = new CancellationTokenSource(Timeout);
        return await client.CallToolAsync(tool, arguments, options: options, cancellationToken: cts.Token);
    }

    internal static string TextOf(CallToolResult result) => string.Concat(result.Content.OfType<TextContentBlock>().Select(b => b.Text));

    [Theory]
    [MemberData(nameof(InMemoryMcp.ProtocolVersions), MemberType = typeof(InMemoryMcp))]
    public async Task Low_call_runs(string? protocolVersion)
    {
        await using var mcp = await StartAsync(protocolVersion);
        var result = await CallAsync(mcp.Client, "low", new() { ["text"] = "hi" });
        Assert.NotEqual(true, result.IsError);
        Assert.Equal("low:hi", TextOf(result));
    }

    [Theory]
    [MemberData(nameof(InMemoryMcp.ProtocolVersions), MemberType = typeof(InMemoryMcp))]
    public async Task Medium_call_runs(string? protocolVersion)
    {
        await using var mcp = await StartAsync(protocolVersion);
        var result = await CallAsync(mcp.Client, "medium", new() { ["text"] = "hi" });
        Assert.NotEqual(true, result.IsError);
        Assert.Equal("medium:hi", TextOf(result));
    }

    [Theory]
    [MemberData(nameof(InMemoryMcp.ProtocolVersions), MemberType = typeof(InMemoryMcp))]
    public async Task Call_blocked_by_an_argument_constraint_is_an_error_result_naming_the_rule_and_reason(string? protocolVersion)
    {
        await using var mcp = await StartAsync(protocolVersion);
        Assert.Equal("transferred 999", TextOf(await CallAsync(mcp.Client, "transfer", new() { ["amount"] = 999 })));

        var result = await CallAsync(mcp.Client, "transfer", new() { ["amount"] = 5000 });
        Assert.True(result.IsError);
        var text = TextOf(result);
        Assert.StartsWith(Denials.Prefix, text, StringComparison.Ordinal);
        Assert.Contains(".arguments.amount'", text, StringComparison.Ordinal);
        Assert.Contains("argument 'amount' is outside what the policy allows", text, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(InMemoryMcp.ProtocolVersions), MemberType = typeof(InMemoryMcp))]
    public async Task Tool_declared_block_by_its_attribute_is_hidden_and_denied_naming_the_attribute(string? protocolVersion)
    {
        await using var mcp = await StartAsync(protocolVersion);
        var tools = await mcp.Client.ListToolsAsync();
        Assert.DoesNotContain(tools, t => t.Name == "declared_block");

        var result = await CallAsync(mcp.Client, "declared_block");
        Assert.True(result.IsError);
        Assert.Equal("Denied by policy (rule 'attribute:ToolRisk'): the tool's author rated it Block.", TextOf(result));
    }

    [Theory]
    [MemberData(nameof(InMemoryMcp.ProtocolVersions), MemberType = typeof(InMemoryMcp))]
    public async Task High_call_without_an_approval_handler_is_denied(string? protocolVersion)
    {
        await using var mcp = await StartAsync(protocolVersion);
        var result = await CallAsync(mcp.Client, "high_from_class");
        Assert.True(result.IsError);
        var text = TextOf(result);
        Assert.Contains("rule 'attribute:ToolRisk'", text, StringComparison.Ordinal);
        Assert.Contains("needs a human approval", text, StringComparison.Ordinal);
        Assert.DoesNotContain("ran high_from_class", text, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(InMemoryMcp.ProtocolVersions), MemberType = typeof(InMemoryMcp))]
    public async Task Tool_hidden_by_policy_is_absent_from_the_list_and_denied_when_called_by_name(string? protocolVersion)
    {
        await using var mcp = await StartAsync(protocolVersion);
        var names = (await mcp.Client.ListToolsAsync()).Select(t => t.Name).ToHashSet();
        Assert.DoesNotContain("wipe", names);
        Assert.Contains("low", names);
        Assert.Contains("medium", names);
        Assert.Contains("high_from_class", names);
        Assert.Contains("transfer", names);

        var result = await CallAsync(mcp.Client, "wipe");
        Assert.True(result.IsError);
        Assert.Contains("wiping is not allowed here", TextOf(result), StringComparison.Ordinal);
        Assert.DoesNotContain("ran wipe", TextOf(result), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(InMemoryMcp.ProtocolVersions), MemberType = typeof(InMemoryMcp))]
    public async Task Unknown_tool_is_a_json_rpc_invalid_params_error(string? protocolVersion)
    {
        await using var mcp = await StartAsync(protocolVersion);
        var ex = await Assert.ThrowsAsync<McpProtocolException>(() => CallAsync(mcp.Client, "no_such_tool"));
        Assert.Equal(McpErrorCode.InvalidParams, ex.ErrorCode);
    }

    [Theory]
    [MemberData(nameof(InMemoryMcp.ProtocolVersions), MemberType = typeof(InMemoryMcp))]
    public async Task Method_attribute_overrides_class_attribute(string? protocolVersion)
    {
        await using var mcp = await StartAsync(protocolVersion);

        // Same class ([ToolRisk(High)]): the method's Low runs, the method without an attribute is High and denied.
        Assert.NotEqual(true, (await CallAsync(mcp.Client, "low", new() { ["text"] = "x" })).IsError);
        Assert.True((await CallAsync(mcp.Client, "high_from_class")).IsError);
    }

    [Theory]
    [MemberData(nameof(InMemoryMcp.ProtocolVersions), MemberType = typeof(InMemoryMcp))]
    public async Task Exception_thrown_by_the_tool_becomes_the_sdk_generic_error_without_its_message(string? protocolVersion)
    {
        await using var mcp = await StartAsync(protocolVersion);
        var result = await CallAsync(mcp.Client, "throws");
        Assert.True(result.IsError);
        Assert.Equal("An error occurred invoking 'throws'.", TextOf(result));
    }

    [Theory]
    [MemberData(nameof(InMemoryMcp.ProtocolVersions), MemberType = typeof(InMemoryMcp))]
    public async Task Filter_sees_server_id_tool_arguments_conversation_request_id_and_server(string? protocolVersion)
    {
        var recorder = new RecordingFilter();
        await using var mcp = await StartAsync(protocolVersion, s => s.ServerId = "notes", b => b.AddFilter(recorder));
        var meta = new JsonObject { [McpPolicyMetaKeys.ConversationId] = "conv-42" };
        await CallAsync(mcp.Client, "low", new() { ["text"] = "hello" }, new RequestOptions { Meta = meta });

        var seen = Assert.Single(recorder.Calls);
        Assert.Equal("notes", seen.ServerId);
        Assert.Equal("low", seen.ToolName);
        Assert.Equal("notes/low", seen.QualifiedName);
        Assert.Equal("conv-42", seen.ConversationId);
        Assert.False(string.IsNullOrEmpty(seen.RequestId));
        Assert.True(long.TryParse(seen.RequestId, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out _), seen.RequestId); // the MCP client's ids are numbers
        Assert.True(seen.Arguments.TryGetValue("text", out var text));
        Assert.Equal("hello", text.GetString());
        Assert.NotNull(seen.Tool);
        Assert.Equal(RiskLevel.Low, seen.Tool!.DeclaredRisk);
        Assert.NotNull(seen.Tool.ProtocolTool);
        Assert.IsAssignableFrom<McpServer>(seen.Items[typeof(McpServer)]);
        var request = Assert.IsType<RequestContext<CallToolRequestParams>>(seen.Items[typeof(RequestContext<CallToolRequestParams>)]);
        Assert.Equal("low", request.Params?.Name);
        Assert.Same(seen.Items[typeof(McpServer)], request.Server);
        Assert.NotNull(seen.Services);
    }

    [Theory]
    [MemberData(nameof(InMemoryMcp.ProtocolVersions), MemberType = typeof(InMemoryMcp))]
    public async Task Conversation_id_is_null_without_meta(string? protocolVersion)
    {
        var recorder = new RecordingFilter();
        await using var mcp = await StartAsync(protocolVersion, policy: b => b.AddFilter(recorder));
        await CallAsync(mcp.Client, "low", new() { ["text"] = "hello" });
        var seen = Assert.Single(recorder.Calls);
        Assert.Null(seen.ConversationId);
        Assert.Equal("server", seen.ServerId);
    }

    [Theory]
    [MemberData(nameof(InMemoryMcp.ProtocolVersions), MemberType = typeof(InMemoryMcp))]
    public async Task Untrusted_annotations_raise_a_low_tool_without_hints(string? protocolVersion)
    {
        // With the server's own hints untrusted, the spec's worst-case defaults (destructive) raise Low to High.
        await using var mcp = await StartAsync(protocolVersion, s => s.TrustToolAnnotations = false);
        var result = await CallAsync(mcp.Client, "low", new() { ["text"] = "x" });
        Assert.True(result.IsError);
        Assert.Contains("annotation:destructive", TextOf(result), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(InMemoryMcp.ProtocolVersions), MemberType = typeof(InMemoryMcp))]
    public async Task Guard_denies_a_call_when_the_policy_filter_was_removed(string? protocolVersion)
    {
        await using var mcp = await InMemoryMcp.StartAsync(
            (services, mcp) =>
            {
                services.AddMcpPolicy(TestPolicy);

                // Something (a misconfiguration) drops every call filter registered before the guard is added.
                services.PostConfigure<McpServerOptions>(o => o.Filters.Request.CallToolFilters.Clear());
                mcp.WithTools<RiskRatedTools>().WithPolicy();
            },
            protocolVersion);

        var result = await CallAsync(mcp.Client, "low", new() { ["text"] = "x" });
        Assert.True(result.IsError);
        Assert.StartsWith("Denied by policy (rule 'policy-not-evaluated')", TextOf(result), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(InMemoryMcp.ProtocolVersions), MemberType = typeof(InMemoryMcp))]
    public async Task Guard_denies_a_call_whose_tool_was_swapped_after_the_decision(string? protocolVersion)
    {
        await using var mcp = await InMemoryMcp.StartAsync(
            (services, mcp) =>
            {
                services.AddMcpPolicy(TestPolicy);
                mcp.WithTools<RiskRatedTools>().WithPolicy();

                // A filter inside the policy filter that swaps the allowed tool for a blocked one.
                mcp.WithRequestFilters(f => f.AddCallToolFilter(next => (ctx, ct) =>
                {
                    ctx.Server.ServerOptions.ToolCollection!.TryGetPrimitive("declared_block", out var other);
                    ctx.MatchedPrimitive = other;
                    return next(ctx, ct);
                }));
            },
            protocolVersion);

        var result = await CallAsync(mcp.Client, "low", new() { ["text"] = "x" });
        Assert.True(result.IsError);
        Assert.StartsWith("Denied by policy (rule 'policy-not-evaluated')", TextOf(result), StringComparison.Ordinal);
        Assert.DoesNotContain("ran declared_block", TextOf(result), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(InMemoryMcp.ProtocolVersions), MemberType = typeof(InMemoryMcp))]
    public async Task Filter_ending_a_call_with_a_protocol_error_gives_a_json_rpc_error(string? protocolVersion)
    {
        await using var mcp = await StartAsync(protocolVersion, policy: b => b.AddFilter(new ThrowingFilter(new McpPolicyToolException("the arguments are malformed"))));
        var ex = await Assert.ThrowsAsync<McpProtocolException>(() => CallAsync(mcp.Client, "low", new() { ["text"] = "x" }));
        Assert.Equal(McpErrorCode.InvalidParams, ex.ErrorCode);
        Assert.Contains("the arguments are malformed", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(InMemoryMcp.ProtocolVersions), MemberType = typeof(InMemoryMcp))]
    public async Task Filter_failure_denies_the_call_without_leaking_the_exception(string? protocolVersion)
    {
        await using var mcp = await StartAsync(protocolVersion, policy: b => b.AddFilter(new ThrowingFilter(new InvalidOperationException(RiskRatedTools.SecretInException))));
        var result = await CallAsync(mcp.Client, "low", new() { ["text"] = "x" });
        Assert.True(result.IsError);
        var text = TextOf(result);
        Assert.StartsWith("Denied by policy (rule 'policy-error')", text, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_id_with_a_slash_is_rejected_when_the_server_is_built()
    {
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(null, s => s.ServerId = "a/b"));
        Assert.Contains("must not contain '/'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Empty_server_id_is_rejected_when_the_server_is_built()
    {
        await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(null, s => s.ServerId = ""));
    }

    [Fact]
    public void With_policy_registers_the_core_services_when_add_mcp_policy_was_not_called()
    {
        var services = new ServiceCollection();
        services.AddMcpServer().WithTools<RiskRatedTools>().WithPolicy();
        using var provider = services.BuildServiceProvider();
        Assert.NotNull(provider.GetService<ToolInvocationPipeline>());
        Assert.NotNull(provider.GetService<IPolicyEvaluator>());
        var options = provider.GetRequiredService<IOptions<McpServerOptions>>().Value;

        // The policy filter and the guard; the guard is last, so it runs next to the tool.
        Assert.Equal(2, options.Filters.Request.CallToolFilters.Count);
        Assert.Single(options.Filters.Request.ListToolsFilters);
    }

    [Fact]
    public void Own_server_is_trusted_unless_the_policy_says_otherwise()
    {
        var services = new ServiceCollection();
        services.AddMcpPolicy(o => o.Servers["other"] = new ServerPolicy());
        services.AddMcpServer().WithPolicy(s => s.ServerId = "mine");
        using (var provider = services.BuildServiceProvider())
        {
            var policy = provider.GetRequiredService<IOptions<McpPolicyOptions>>().Value;
            Assert.True(policy.Servers["mine"].Trusted);
            Assert.False(policy.Servers["other"].Trusted);
        }

        var explicitPolicy = new ServiceCollection();
        explicitPolicy.AddMcpPolicy(o => o.Servers["mine"] = new ServerPolicy { Trusted = false });
        explicitPolicy.AddMcpServer().WithPolicy(s => s.ServerId = "mine");
        using (var provider = explicitPolicy.BuildServiceProvider())
        {
            Assert.False(provider.GetRequiredService<IOptions<McpPolicyOptions>>().Value.Servers["mine"].Trusted);
        }
    }

    private sealed class ThrowingFilter(Exception exception) : IToolInvocationFilter
    {
        public int Order => ToolInvocationFilterOrder.Validate;

        public ValueTask InvokeAsync(ToolInvocationContext context, ToolInvocationDelegate next, CancellationToken cancellationToken)
            => throw exception;
    }

    private sealed class RecordingFilter : IToolInvocationFilter
    {
        public List<ToolInvocationContext> Calls { get; } = [];

        public int Order => ToolInvocationFilterOrder.Identify;

        public ValueTask InvokeAsync(ToolInvocationContext context, ToolInvocationDelegate next, CancellationToken cancellationToken)
        {
            lock (Calls)
            {
                Calls.Add(context);
            }

            return next(context, cancellationToken);
        }
    }
}
