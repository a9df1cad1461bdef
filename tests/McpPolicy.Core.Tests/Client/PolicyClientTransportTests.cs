using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Core.Tests.Client;

/// <summary>
/// The host side alone enforces: a real MCP server with no policy of its own, a real <see cref="McpClient"/> through the policy
/// transport, under both protocol revisions (null = the SDK default, 2026-07-28).
/// </summary>
public sealed class PolicyClientTransportTests
{
    private const string Legacy = "2025-11-25";

    [Theory]
    [InlineData(null)]
    [InlineData(Legacy)]
    public async Task Allowed_call_reaches_the_server(string? protocolVersion)
    {
        await using var host = await PolicyHost.StartAsync(protocolVersion);

        var result = await host.Client.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = "hello" });

        Assert.NotEqual(true, result.IsError);
        Assert.Equal("hello", Text(result));
        Assert.Equal(1, host.Server.Count("echo"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(Legacy)]
    public async Task Blocked_call_never_reaches_the_server_and_names_the_rule(string? protocolVersion)
    {
        await using var host = await PolicyHost.StartAsync(protocolVersion);

        var result = await host.Client.CallToolAsync("delete_all");

        Assert.True(result.IsError);
        var text = Text(result);
        Assert.StartsWith(Denials.Prefix, text, StringComparison.Ordinal);
        Assert.Contains("rule 'tools[", text, StringComparison.Ordinal);
        Assert.Contains("deleting is not allowed here", text, StringComparison.Ordinal);
        Assert.Equal(0, host.Server.Count("delete_all"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(Legacy)]
    public async Task Calls_through_McpClientTool_as_an_AI_function_are_enforced(string? protocolVersion)
    {
        await using var host = await PolicyHost.StartAsync(protocolVersion, policy: o =>
        {
            PolicyHost.DefaultPolicy(o);
            o.Tools[0].Arguments["text"] = ArgumentCondition.NoneOf("launch the missiles");
        });
        var tools = await host.Client.ListToolsAsync();
        AIFunction echo = tools.Single(t => t.Name == "echo");

        var allowed = await echo.InvokeAsync(new AIFunctionArguments { ["text"] = "hi" });
        var denied = await echo.InvokeAsync(new AIFunctionArguments { ["text"] = "launch the missiles" });

        Assert.Equal("hi", Assert.IsType<TextContent>(allowed).Text);
        var error = Assert.IsType<JsonElement>(denied);
        Assert.True(error.GetProperty("isError").GetBoolean());
        Assert.Contains("argument 'text' is outside what the policy allows", error.GetProperty("content")[0].GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, host.Server.Count("echo"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(Legacy)]
    public async Task Raw_SendRequestAsync_calls_are_enforced(string? protocolVersion)
    {
        await using var host = await PolicyHost.StartAsync(protocolVersion);

        var denied = await SendRawCallAsync(host.Client, """{"name":"delete_all","arguments":{}}""");
        var allowed = await SendRawCallAsync(host.Client, """{"name":"echo","arguments":{"text":"raw"}}""");

        Assert.True(denied.IsError);
        Assert.Contains("deleting is not allowed here", Text(denied), StringComparison.Ordinal);
        Assert.Equal("raw", Text(allowed));
        Assert.Equal(0, host.Server.Count("delete_all"));
        Assert.Equal(1, host.Server.Count("echo"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(Legacy)]
    public async Task Unknown_tool_is_blocked(string? protocolVersion)
    {
        await using var host = await PolicyHost.StartAsync(protocolVersion);

        var result = await host.Client.CallToolAsync("ghost");

        Assert.True(result.IsError);
        Assert.Contains("rule 'defaults.unknownTool'", Text(result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tool_the_server_added_without_notice_stays_unknown_and_never_runs()
    {
        // 2026-07-28 delivers list_changed only over an open subscriptions/listen request; without one the host hears nothing.
        await using var host = await PolicyHost.StartAsync(null);
        await host.Client.ListToolsAsync();
        host.Server.Tools.Add(host.Server.CountingTool("late"));

        var result = await host.Client.CallToolAsync("late");

        Assert.True(result.IsError);
        Assert.Contains("defaults.unknownTool", Text(result), StringComparison.Ordinal);
        Assert.Equal(0, host.Server.Count("late"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(Legacy)]
    public async Task Blocked_tools_are_hidden_from_the_list_and_still_denied(string? protocolVersion)
    {
        await using var host = await PolicyHost.StartAsync(protocolVersion);

        var names = (await host.Client.ListToolsAsync()).Select(t => t.Name).ToHashSet();
        var result = await host.Client.CallToolAsync("secret_key");

        Assert.Equal("echo,fail,slow", string.Join(',', names.Order()));
        Assert.Contains(host.Catalog.GetTools(PolicyHost.ServerId), t => t.Name == "secret_key");
        Assert.True(result.IsError);
        Assert.Equal(0, host.Server.Count("secret_key"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(Legacy)]
    public async Task Calling_before_listing_loads_the_catalog_once_and_decides_correctly(string? protocolVersion)
    {
        await using var host = await PolicyHost.StartAsync(protocolVersion);
        Assert.Equal(ToolCatalogStatus.NotLoaded, host.Catalog.GetStatus(PolicyHost.ServerId));

        var calls = Enumerable.Range(0, 5).Select(i => host.Client.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = $"t{i}" }).AsTask()).ToArray();
        var results = await Task.WhenAll(calls);
        var denied = await host.Client.CallToolAsync("delete_all");

        Assert.All(results, r => Assert.NotEqual(true, r.IsError));
        Assert.Equal(5, host.Server.Count("echo"));
        Assert.True(denied.IsError);
        Assert.Contains("deleting is not allowed here", Text(denied), StringComparison.Ordinal);
        Assert.Equal(1, host.Server.ListRequests);
        Assert.Equal(ToolCatalogStatus.Loaded, host.Catalog.GetStatus(PolicyHost.ServerId));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(Legacy)]
    public async Task Paginated_listings_are_merged_by_the_host_listing_and_by_the_automatic_load(string? protocolVersion)
    {
        await using var listed = await PolicyHost.StartAsync(protocolVersion, server: PaginatingServer());
        await using var direct = await PolicyHost.StartAsync(protocolVersion, server: PaginatingServer());

        var names = (await listed.Client.ListToolsAsync()).Select(t => t.Name).Order().ToArray();
        var onSecondPage = await direct.Client.CallToolAsync("slow_page_two");

        Assert.Equal("echo,fail,slow,slow_page_two", string.Join(',', names));
        Assert.Equal(7, listed.Catalog.GetTools(PolicyHost.ServerId).Count);
        Assert.Equal(ToolCatalogStatus.Loaded, listed.Catalog.GetStatus(PolicyHost.ServerId));
        Assert.NotEqual(true, onSecondPage.IsError);
        Assert.Equal(1, direct.Server.Count("slow_page_two"));
        Assert.Equal(2, direct.Server.ListRequests);
    }

    [Fact]
    public async Task List_changed_marks_the_catalog_stale_and_the_next_call_reloads_it()
    {
        await using var host = await PolicyHost.StartAsync(Legacy);
        await host.Client.ListToolsAsync();
        Assert.True((await host.Client.CallToolAsync("late")).IsError);

        host.Server.Tools.Add(host.Server.CountingTool("late"));
        await Eventually(() => host.Catalog.GetStatus(PolicyHost.ServerId) == ToolCatalogStatus.Stale);
        var added = await host.Client.CallToolAsync("late");

        host.Server.Tools.Remove(host.Server.Tools.Single(t => t.ProtocolTool.Name == "late"));
        await Eventually(() => host.Catalog.GetStatus(PolicyHost.ServerId) == ToolCatalogStatus.Stale);
        var removed = await host.Client.CallToolAsync("late");

        Assert.NotEqual(true, added.IsError);
        Assert.True(removed.IsError);
        Assert.Contains("defaults.unknownTool", Text(removed), StringComparison.Ordinal);
        Assert.Equal(1, host.Server.Count("late"));
    }

    [Fact]
    public async Task List_changed_over_a_subscriptions_listen_stream_reloads_the_catalog()
    {
        await using var host = await PolicyHost.StartAsync(null);
        await host.Client.ListToolsAsync();
        using var listening = new CancellationTokenSource();
        var listen = host.Client.SendRequestAsync(
            new JsonRpcRequest
            {
                Method = RequestMethods.SubscriptionsListen,
                Params = JsonSerializer.SerializeToNode(new SubscriptionsListenRequestParams { Notifications = new() { ToolsListChanged = true } }, McpJsonUtilities.DefaultOptions),
            },
            listening.Token);

        // Keep adding until a notification arrives: the listen stream may open after the first change.
        var n = 0;
        await Eventually(() =>
        {
            if (host.Catalog.GetStatus(PolicyHost.ServerId) == ToolCatalogStatus.Stale)
            {
                return true;
            }

            host.Server.Tools.Add(host.Server.CountingTool($"late{n++}"));
            return false;
        });
        var result = await host.Client.CallToolAsync("late0");

        Assert.NotEqual(true, result.IsError);
        Assert.Equal(1, host.Server.Count("late0"));
        await listening.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => listen);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(Legacy)]
    public async Task Conversation_scope_reaches_the_pipeline_whatever_api_makes_the_call(string? protocolVersion)
    {
        var recorder = new RecordingFilter();
        await using var host = await PolicyHost.StartAsync(protocolVersion, b => b.AddFilter(recorder));
        var echo = (await host.Client.ListToolsAsync()).Single(t => t.Name == "echo");

        using (McpPolicyConversation.Begin("conv-42"))
        {
            await host.Client.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = "a" });
            await echo.InvokeAsync(new AIFunctionArguments { ["text"] = "b" });
            await SendRawCallAsync(host.Client, """{"name":"echo","arguments":{"text":"c"}}""");
        }

        await host.Client.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = "d" });

        Assert.Equal("conv-42,conv-42,conv-42,(none)", string.Join(',', recorder.Calls.Select(c => c.ConversationId ?? "(none)")));
        Assert.All(recorder.Calls, c => Assert.Equal("demo/echo", c.QualifiedName));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(Legacy)]
    public async Task Conversation_id_in_request_meta_reaches_the_pipeline_and_wins_over_the_scope(string? protocolVersion)
    {
        var recorder = new RecordingFilter();
        await using var host = await PolicyHost.StartAsync(protocolVersion, b => b.AddFilter(recorder));
        var options = new RequestOptions { Meta = new JsonObject { [McpPolicyMetaKeys.ConversationId] = "conv-7" } };

        await host.Client.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = "a" }, options: options);
        using (McpPolicyConversation.Begin("conv-42"))
        {
            await host.Client.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = "b" }, options: options);
        }

        Assert.Equal("conv-7,conv-7", string.Join(',', recorder.Calls.Select(c => c.ConversationId)));
    }

    [Fact]
    public async Task Principal_and_request_id_reach_the_pipeline()
    {
        var recorder = new RecordingFilter();
        var user = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "alice")], "test"));
        await using var host = await PolicyHost.StartAsync(null, b => b.AddFilter(recorder), transportOptions: new PolicyClientTransportOptions { Principal = () => user });

        await host.Client.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = "a" });

        var call = Assert.Single(recorder.Calls);
        Assert.Same(user, call.Principal);
        Assert.False(string.IsNullOrEmpty(call.RequestId));
        Assert.True(long.TryParse(call.RequestId, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out _), call.RequestId); // the MCP client's ids are numbers
        Assert.Equal("a", call.Arguments.TryGetValue("text", out var text) ? text.GetString() : null);
        Assert.NotNull(call.Tool);
        Assert.Same(host.Services, call.Services);
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData(Legacy, false)]
    [InlineData(null, true)]
    [InlineData(Legacy, true)]
    public async Task Result_a_post_processing_filter_rewrites_is_what_the_client_sees(string? protocolVersion, bool inPlace)
    {
        await using var host = await PolicyHost.StartAsync(protocolVersion, b => b.AddFilter(new RedactingFilter(inPlace)));

        var result = await host.Client.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = "my password is hunter2" });

        Assert.Equal(inPlace ? "[redacted in place]" : "[redacted]", Text(result));
        Assert.Equal(1, host.Server.Count("echo"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(Legacy)]
    public async Task Server_json_rpc_errors_pass_through_unchanged(string? protocolVersion)
    {
        await using var host = await PolicyHost.StartAsync(protocolVersion, policy: o =>
        {
            PolicyHost.DefaultPolicy(o);
            o.Defaults.UnknownTool = RiskLevel.Low;
        });

        var toolError = await Assert.ThrowsAsync<McpProtocolException>(() => host.Client.CallToolAsync("fail").AsTask());
        var unknown = await Assert.ThrowsAsync<McpProtocolException>(() => host.Client.CallToolAsync("no_such_tool").AsTask());

        Assert.Equal(McpErrorCode.InvalidParams, toolError.ErrorCode);
        Assert.Contains("the server refuses this call", toolError.Message, StringComparison.Ordinal);
        Assert.Equal(McpErrorCode.InvalidParams, unknown.ErrorCode);
        Assert.Contains("no_such_tool", unknown.Message, StringComparison.Ordinal);
        Assert.Equal(1, host.Server.Count("fail"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(Legacy)]
    public async Task Arguments_that_repeat_a_property_name_are_denied(string? protocolVersion)
    {
        await using var host = await PolicyHost.StartAsync(protocolVersion);

        var result = await SendRawCallAsync(host.Client, """{"name":"echo","arguments":{"text":"harmless","text":"rm -rf /"}}""");

        Assert.True(result.IsError);
        Assert.Contains("rule 'request-integrity'", Text(result), StringComparison.Ordinal);
        Assert.Equal(0, host.Server.Count("echo"));
    }

    [Fact]
    public async Task Malformed_calls_are_json_rpc_errors_and_never_sent()
    {
        await using var host = await PolicyHost.StartAsync(null);

        var noName = await Assert.ThrowsAsync<McpProtocolException>(() => SendRawCallAsync(host.Client, """{"arguments":{}}"""));
        var badArguments = await Assert.ThrowsAsync<McpProtocolException>(() => SendRawCallAsync(host.Client, """{"name":"echo","arguments":[1]}"""));

        Assert.Equal(McpErrorCode.InvalidParams, noName.ErrorCode);
        Assert.Equal(McpErrorCode.InvalidParams, badArguments.ErrorCode);
        Assert.Equal(0, host.Server.Count("echo"));
    }

    [Fact]
    public async Task Server_identity_is_the_hosts_id_never_the_name_the_server_reports()
    {
        var server = new InMemoryMcpServer(reportedName: "bank");
        await using var host = await PolicyHost.StartAsync(null, server: server, policy: o =>
        {
            PolicyHost.DefaultPolicy(o);
            o.Tools.Add(new ToolPolicy("bank/wire", RiskLevel.Low));
            o.Servers["bank"] = new ServerPolicy { Trusted = true };
        });

        var result = await host.Client.CallToolAsync("wire");

        Assert.Equal("bank", host.Client.ServerInfo?.Name);
        Assert.True(result.IsError);
        Assert.Contains("wires are not sent from this host", Text(result), StringComparison.Ordinal);
        Assert.Equal(0, server.Count("wire"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(Legacy)]
    public async Task Cancelled_call_is_cancelled_on_the_server_and_leaves_nothing_pending(string? protocolVersion)
    {
        await using var host = await PolicyHost.StartAsync(protocolVersion);
        using var cancel = new CancellationTokenSource();

        var call = host.Client.CallToolAsync("slow", cancellationToken: cancel.Token).AsTask();
        await host.Server.SlowStarted.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        await host.Server.SlowCancelled.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await Eventually(() => host.Transport.LastSession!.OutstandingCount == 0);
    }

    [Fact]
    public async Task Call_cancelled_while_being_decided_never_reaches_the_server()
    {
        var stall = new StallingFilter();
        await using var host = await PolicyHost.StartAsync(null, b => b.AddFilter(stall));
        using var cancel = new CancellationTokenSource();

        var call = host.Client.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = "x" }, cancellationToken: cancel.Token).AsTask();
        await stall.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        await Eventually(() => host.Transport.LastSession!.OutstandingCount == 0);
        Assert.Equal(0, host.Server.Count("echo"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(Legacy)]
    public async Task Closed_connection_fails_pending_calls_and_leaves_nothing_pending(string? protocolVersion)
    {
        await using var host = await PolicyHost.StartAsync(protocolVersion);

        var call = host.Client.CallToolAsync("slow").AsTask();
        await host.Server.SlowStarted.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await host.Server.CloseConnectionAsync();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => call).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.IsNotType<OperationCanceledException>(error);
        Assert.Equal(0, host.Transport.LastSession!.OutstandingCount);
    }

    [Fact]
    public async Task McpPolicyClient_connects_a_guarded_client_in_one_step()
    {
        var services = new ServiceCollection();
        services.AddMcpPolicy(PolicyHost.DefaultPolicy);
        await using var provider = services.BuildServiceProvider();
        await using var server = new InMemoryMcpServer();

        await using var client = await McpPolicyClient.CreateAsync(provider, "demo", server.CreateClientTransport(), new McpClientOptions { ProtocolVersion = Legacy });
        var denied = await client.CallToolAsync("delete_all");
        var allowed = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = "ok" });

        Assert.True(denied.IsError);
        Assert.Equal("ok", Text(allowed));
        Assert.Equal(0, server.Count("delete_all"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    public void Server_id_must_be_non_empty_and_without_a_slash(string serverId)
    {
        var services = new ServiceCollection();
        services.AddMcpPolicy(PolicyHost.DefaultPolicy);
        using var provider = services.BuildServiceProvider();
        var inner = new StreamClientTransport(Stream.Null, Stream.Null);

        Assert.Throws<ArgumentException>(() => provider.CreatePolicyTransport(serverId, inner));
    }

    [Fact]
    public void Creating_a_transport_without_AddMcpPolicy_says_what_is_missing()
    {
        using var provider = new ServiceCollection().BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => provider.CreatePolicyTransport("demo", new StreamClientTransport(Stream.Null, Stream.Null)));

        Assert.Contains("AddMcpPolicy", error.Message, StringComparison.Ordinal);
    }

    internal static string Text(CallToolResult result) => string.Concat(result.Content.OfType<TextContentBlock>().Select(b => b.Text));

    internal static async Task<CallToolResult> SendRawCallAsync(McpClient client, string parameters)
    {
        var response = await client.SendRequestAsync(new JsonRpcRequest { Method = RequestMethods.ToolsCall, Params = JsonNode.Parse(parameters) });
        return JsonSerializer.Deserialize<CallToolResult>(response.Result, McpJsonUtilities.DefaultOptions)!;
    }

    internal static async Task Eventually(Func<bool> condition)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
        while (!condition())
        {
            if (DateTimeOffset.UtcNow > deadline)
            {
                Assert.Fail("The condition did not become true within 30 seconds.");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>A server whose tools/list answers in two pages (the second page carries "slow_page_two").</summary>
    private static InMemoryMcpServer PaginatingServer() => new(
        options => options.Filters.Request.ListToolsFilters.Add(next => (context, cancellationToken) =>
        {
            // Pages over the whole collection (the SDK adds collection tools to the first page only).
            var tools = options.ToolCollection!.Select(t => t.ProtocolTool).OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
            var half = tools.Count / 2;
            var second = context.Params?.Cursor == "page-2";
            return ValueTask.FromResult(new ListToolsResult
            {
                Tools = second ? tools.Skip(half).ToList() : tools.Take(half).ToList(),
                NextCursor = second ? null : "page-2",
            });
        }),
        extraTools: ["slow_page_two"]);
}
