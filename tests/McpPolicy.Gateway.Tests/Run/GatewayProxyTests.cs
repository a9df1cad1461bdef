using System.Text.Json;
using McpPolicy.Gateway.Run;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Gateway.Tests.Run;

public sealed class GatewayProxyTests
{
    private const string July2026 = "2026-07-28";
    private const string November2025 = "2025-11-25";

    public static TheoryData<string, string> Revisions => new()
    {
        { July2026, July2026 },
        { November2025, November2025 },
        { July2026, November2025 },
        { November2025, July2026 },
    };

    [Theory]
    [MemberData(nameof(Revisions))]
    public async Task Tools_pass_through_and_a_blocked_tool_is_hidden_and_never_reaches_the_child(string upstream, string child)
    {
        await using var gw = await GatewayHarness.StartAsync(upstream, child);

        var tools = (await gw.Upstream.ListToolsAsync()).Select(t => t.Name).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["echo", "fail", "hang", "read_file", "write_note"], tools);

        var echo = await gw.Upstream.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "hello" });
        Assert.NotEqual(true, echo.IsError);
        Assert.Equal("echo: hello", Text(echo));

        var blocked = await gw.Upstream.CallToolAsync("delete_all", new Dictionary<string, object?>());
        Assert.True(blocked.IsError);
        Assert.Contains("deleting is not allowed here", Text(blocked), StringComparison.Ordinal);
        Assert.Equal(0, gw.Count("delete_all"));
        Assert.Equal(upstream, gw.Upstream.NegotiatedProtocolVersion);
    }

    [Theory]
    [MemberData(nameof(Revisions))]
    public async Task Prompts_and_resources_pass_through(string upstream, string child)
    {
        await using var gw = await GatewayHarness.StartAsync(upstream, child);

        var prompts = await gw.Upstream.ListPromptsAsync();
        Assert.Equal("about", Assert.Single(prompts).Name);
        var prompt = await gw.Upstream.GetPromptAsync("about", new Dictionary<string, object?> { ["topic"] = "owls" });
        Assert.Equal("Tell me about owls.", Assert.IsType<TextContentBlock>(Assert.Single(prompt.Messages).Content).Text);

        var resources = await gw.Upstream.ListResourcesAsync();
        Assert.Equal("test://greeting", Assert.Single(resources).Uri);
        var read = await gw.Upstream.ReadResourceAsync("test://greeting");
        Assert.Equal("hello from a resource", Assert.IsType<TextResourceContents>(Assert.Single(read.Contents)).Text);
    }

    [Fact]
    public async Task The_childs_server_info_and_instructions_are_shown_upstream()
    {
        await using var gw = await GatewayHarness.StartAsync(November2025);

        var info = Assert.IsType<Implementation>(gw.Upstream.ServerInfo);
        Assert.Equal("child", info.Name);
        Assert.Equal("1.2.3", info.Version);
        Assert.Equal("Child instructions.", gw.Upstream.ServerInstructions);
    }

    [Fact]
    public async Task A_violated_argument_constraint_is_denied_with_a_readable_reason()
    {
        await using var gw = await GatewayHarness.StartAsync();

        var inside = await gw.Upstream.CallToolAsync("read_file", new Dictionary<string, object?> { ["path"] = "/srv/public/a.txt" });
        Assert.NotEqual(true, inside.IsError);
        var outside = await gw.Upstream.CallToolAsync("read_file", new Dictionary<string, object?> { ["path"] = "/srv/public/../../etc/passwd" });
        Assert.True(outside.IsError);
        Assert.Contains("path", Text(outside), StringComparison.Ordinal);
        Assert.Equal(1, gw.Count("read_file"));
    }

    [Fact]
    public async Task The_childs_own_protocol_error_passes_through_unchanged()
    {
        await using var gw = await GatewayHarness.StartAsync(November2025, November2025);

        var error = await Assert.ThrowsAsync<McpProtocolException>(() => gw.Upstream.CallToolAsync("fail", new Dictionary<string, object?>()).AsTask());
        Assert.Equal(McpErrorCode.InvalidParams, error.ErrorCode);
        Assert.EndsWith("the disk is on fire", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Request failed (remote): Request failed", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, gw.Count("fail"));
    }

    [Fact]
    public async Task A_high_call_is_denied_when_the_upstream_client_cannot_be_asked()
    {
        await using var gw = await GatewayHarness.StartAsync();

        var result = await gw.Upstream.CallToolAsync("write_note", new Dictionary<string, object?> { ["text"] = "x" });

        Assert.True(result.IsError);
        Assert.Contains("approv", Text(result), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, gw.Count("write_note"));
        Assert.Contains("does not support elicitation", gw.Logs.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(July2026)]
    [InlineData(November2025)]
    public async Task A_high_call_is_asked_upstream_by_elicitation_and_runs_when_approved(string upstream)
    {
        string? asked = null;
        await using var gw = await GatewayHarness.StartAsync(upstream, elicitation: (request, _) =>
        {
            asked = request?.Message;
            return ValueTask.FromResult(new ElicitResult
            {
                Action = "accept",
                Content = new Dictionary<string, JsonElement> { ["approve"] = JsonSerializer.SerializeToElement(true) },
            });
        });

        var result = await gw.Upstream.CallToolAsync("write_note", new Dictionary<string, object?> { ["text"] = "x" });

        Assert.NotEqual(true, result.IsError);
        Assert.Equal("saved: x", Text(result));
        Assert.Contains("child/write_note", asked, StringComparison.Ordinal);
        Assert.Equal(1, gw.Count("write_note"));
    }

    [Fact]
    public async Task A_high_call_declined_by_the_upstream_user_never_reaches_the_child()
    {
        await using var gw = await GatewayHarness.StartAsync(elicitation: (_, _) => ValueTask.FromResult(new ElicitResult { Action = "decline" }));

        var result = await gw.Upstream.CallToolAsync("write_note", new Dictionary<string, object?> { ["text"] = "x" });

        Assert.True(result.IsError);
        Assert.Equal(0, gw.Count("write_note"));
    }

    [Theory]
    [InlineData("cat > /dev/null; exit 0", true)]
    [InlineData("cat > /dev/null; echo 'not today'; exit 1", false)]
    public async Task The_approval_command_decides_when_the_client_cannot_be_asked(string command, bool approved)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        await using var gw = await GatewayHarness.StartAsync(configure: s => Copy(s, approvalCommand: command));

        var result = await gw.Upstream.CallToolAsync("write_note", new Dictionary<string, object?> { ["text"] = "x" });

        Assert.Equal(approved, result.IsError != true);
        Assert.Equal(approved ? 1 : 0, gw.Count("write_note"));
    }

    [Fact]
    public async Task The_approval_command_reads_the_request_as_json()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        await using var gw = await GatewayHarness.StartAsync(configure: s => Copy(s, approvalCommand: "cat > \"$MCP_POLICY_TEST_OUT\"; exit 1"));
        var output = gw.PathIn("request.json");
        Environment.SetEnvironmentVariable("MCP_POLICY_TEST_OUT", output);
        try
        {
            await gw.Upstream.CallToolAsync("write_note", new Dictionary<string, object?> { ["text"] = "secret-ish" });
        }
        finally
        {
            Environment.SetEnvironmentVariable("MCP_POLICY_TEST_OUT", null);
        }

        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(output));
        Assert.Equal("child", json.RootElement.GetProperty("server").GetString());
        Assert.Equal("write_note", json.RootElement.GetProperty("tool").GetString());
        Assert.Equal("High", json.RootElement.GetProperty("risk").GetString());
        Assert.NotEmpty(json.RootElement.GetProperty("digest").GetString()!);
    }

    [Theory]
    [MemberData(nameof(Revisions))]
    public async Task A_tool_the_child_adds_is_announced_upstream_and_becomes_callable(string upstream, string child)
    {
        await using var gw = await GatewayHarness.StartAsync(upstream, child);
        var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var registration = gw.Upstream.RegisterNotificationHandler(NotificationMethods.ToolListChangedNotification, (_, _) =>
        {
            changed.TrySetResult();
            return ValueTask.CompletedTask;
        });
        using var listening = new CancellationTokenSource();
        var acknowledged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var ack = gw.Upstream.RegisterNotificationHandler(NotificationMethods.SubscriptionsAcknowledgedNotification, (_, _) =>
        {
            acknowledged.TrySetResult();
            return ValueTask.CompletedTask;
        });
        if (upstream == July2026)
        {
            // 2026-07-28 delivers list_changed only over an open subscriptions/listen request.
            _ = gw.Upstream.SendRequestAsync(
                new JsonRpcRequest
                {
                    Method = RequestMethods.SubscriptionsListen,
                    Params = JsonSerializer.SerializeToNode(new SubscriptionsListenRequestParams { Notifications = new() { ToolsListChanged = true } }, McpJsonUtilities.DefaultOptions),
                },
                listening.Token);
            await acknowledged.Task.WaitAsync(TimeSpan.FromSeconds(20));
        }

        _ = await gw.Upstream.ListToolsAsync();

        gw.Options.ToolCollection!.Add(gw.Extra("added"));

        await changed.Task.WaitAsync(TimeSpan.FromSeconds(20));
        await listening.CancelAsync();
        var tools = (await gw.Upstream.ListToolsAsync()).Select(t => t.Name).ToArray();
        Assert.Contains("added", tools);
        var result = await gw.Upstream.CallToolAsync("added", new Dictionary<string, object?>());
        Assert.NotEqual(true, result.IsError);
        Assert.Equal(1, gw.Count("added"));
    }

    [Fact]
    public async Task A_request_the_child_never_answers_fails_after_the_timeout_with_a_clear_error()
    {
        await using var gw = await GatewayHarness.StartAsync(configure: s => Copy(s, timeout: TimeSpan.FromSeconds(1)));

        var error = await Assert.ThrowsAsync<McpProtocolException>(() => gw.Upstream.CallToolAsync("hang", new Dictionary<string, object?>()).AsTask());

        Assert.Contains("did not answer 'tools/call' within 1 s", error.Message, StringComparison.Ordinal);
        var echo = await gw.Upstream.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "still alive" });
        Assert.Equal("echo: still alive", Text(echo));
    }

    [Fact]
    public async Task When_the_child_ends_the_gateway_reports_it_and_exits_non_zero()
    {
        await using var gw = await GatewayHarness.StartAsync();
        _ = await gw.Upstream.ListToolsAsync();

        await gw.StopChildAsync();

        var code = await gw.Gateway.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(GatewayExitCodes.ChildFailed, code);
        Assert.Contains("The server 'in-memory-child' ended", gw.Logs.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task When_the_child_ends_mid_call_the_call_fails_and_the_gateway_exits_non_zero()
    {
        await using var gw = await GatewayHarness.StartAsync();
        var call = gw.Upstream.CallToolAsync("hang", new Dictionary<string, object?>()).AsTask();
        await gw.HangStarted.Task.WaitAsync(TimeSpan.FromSeconds(20));

        await gw.StopChildAsync();

        await Assert.ThrowsAnyAsync<Exception>(() => call.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(GatewayExitCodes.ChildFailed, await gw.Gateway.WaitAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task When_the_upstream_client_disconnects_the_gateway_exits_zero()
    {
        var gw = await GatewayHarness.StartAsync();
        await gw.Upstream.DisposeAsync();
        var gateway = gw.Gateway;

        await gw.DisposeAsync();

        Assert.Equal(ExitCodes.Ok, await gateway.WaitAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task When_a_2026_client_with_an_open_listen_stream_disconnects_the_gateway_still_exits_zero()
    {
        var gw = await GatewayHarness.StartAsync(July2026);
        var acknowledged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (gw.Upstream.RegisterNotificationHandler(NotificationMethods.SubscriptionsAcknowledgedNotification, (_, _) =>
        {
            acknowledged.TrySetResult();
            return ValueTask.CompletedTask;
        }))
        {
            _ = gw.Upstream.SendRequestAsync(
                new JsonRpcRequest
                {
                    Method = RequestMethods.SubscriptionsListen,
                    Params = JsonSerializer.SerializeToNode(new SubscriptionsListenRequestParams { Notifications = new() { ToolsListChanged = true } }, McpJsonUtilities.DefaultOptions),
                });
            await acknowledged.Task.WaitAsync(TimeSpan.FromSeconds(20));
        }

        var gateway = gw.Gateway;
        await gw.DisposeAsync();

        Assert.True(gateway.IsCompleted, "the gateway kept running after its upstream input closed");
        Assert.Equal(ExitCodes.Ok, await gateway);
    }

    [Fact]
    public async Task An_invalid_policy_stops_the_gateway_before_the_child_starts_with_the_reason()
    {
        var error = await Assert.ThrowsAsync<UsageException>(() => GatewayHarness.StartAsync(policy: """{ "version": 1, "tools": [ { "match": "child/x", "risk": "Dangerous" } ] }"""));

        Assert.Contains("Dangerous", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_policy_file_is_a_usage_error_naming_the_file()
    {
        var error = await Assert.ThrowsAsync<UsageException>(() => GatewayHarness.StartAsync(configure: s => new GatewaySettings
        {
            PolicyPath = "/no/such/policy.json",
            ServerId = s.ServerId,
            Command = s.Command,
        }));

        Assert.Contains("/no/such/policy.json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_a_lock_file_a_tool_the_lock_does_not_know_is_blocked()
    {
        await using var gw = await GatewayHarness.StartAsync(configure: s => Copy(s, lockPath: Path.Combine(Path.GetDirectoryName(s.PolicyPath)!, "mcp-policy.lock.json")));

        var result = await gw.Upstream.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "hello" });

        Assert.True(result.IsError);
        Assert.Equal(0, gw.Count("echo"));
    }

    internal static string Text(CallToolResult result)
        => string.Join("\n", result.Content.OfType<TextContentBlock>().Select(t => t.Text));

    internal static GatewaySettings Copy(GatewaySettings s, string? approvalCommand = null, TimeSpan? timeout = null, string? lockPath = null, string? auditPath = null, string? auditKeyFile = null)
        => new()
        {
            PolicyPath = s.PolicyPath,
            ServerId = s.ServerId,
            Command = s.Command,
            Arguments = s.Arguments,
            ApprovalCommand = approvalCommand ?? s.ApprovalCommand,
            RequestTimeout = timeout ?? s.RequestTimeout,
            StartupTimeout = s.StartupTimeout,
            LockPath = lockPath ?? s.LockPath,
            AuditPath = auditPath ?? s.AuditPath,
            AuditKeyFile = auditKeyFile ?? s.AuditKeyFile,
        };
}
