using System.Text.Json;
using McpPolicy.Gateway.Run;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using static McpPolicy.Gateway.Tests.Run.GatewayProxyTests;

namespace McpPolicy.Gateway.Tests.Run;

/// <summary>
/// The gateway's forwarding path for <c>tools/call</c> (taken off the upstream connection and sent into the policy gate under an id of the
/// gateway's own): used exactly when both sessions negotiated a revision with the initialize handshake, and equal to the SDK server's path in
/// every outcome — results, denials, the child's errors, approvals, timeouts, cancellation, the child's end, and many calls at once.
/// </summary>
public sealed class GatewayForwardingTests
{
    private const string July2026 = "2026-07-28";
    private const string November2025 = "2025-11-25";

    [Theory]
    [InlineData(November2025, November2025, 2)]
    [InlineData(July2026, July2026, 0)]
    [InlineData(July2026, November2025, 0)]
    [InlineData(November2025, July2026, 0)]
    public async Task The_forwarding_path_is_taken_only_when_both_sessions_use_the_initialize_handshake(string upstream, string child, int forwarded)
    {
        await using var gw = await GatewayHarness.StartAsync(upstream, child);

        var echo = await gw.Upstream.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "hello" });
        var blocked = await gw.Upstream.CallToolAsync("delete_all", new Dictionary<string, object?>());

        Assert.Equal("echo: hello", Text(echo));
        Assert.True(blocked.IsError);
        Assert.Contains("deleting is not allowed here", Text(blocked), StringComparison.Ordinal);
        Assert.Equal(0, gw.Count("delete_all"));
        Assert.Equal(forwarded, gw.Proxy.CallsForwardedDirectly);
    }

    [Fact]
    public async Task A_violated_argument_constraint_is_denied_on_the_forwarding_path()
    {
        await using var gw = await GatewayHarness.StartAsync(November2025, November2025);

        var inside = await gw.Upstream.CallToolAsync("read_file", new Dictionary<string, object?> { ["path"] = "/srv/public/a.txt" });
        var outside = await gw.Upstream.CallToolAsync("read_file", new Dictionary<string, object?> { ["path"] = "/srv/public/../../etc/passwd" });

        Assert.Equal("content of /srv/public/a.txt", Text(inside));
        Assert.True(outside.IsError);
        Assert.Contains("path", Text(outside), StringComparison.Ordinal);
        Assert.Equal(1, gw.Count("read_file"));
        Assert.Equal(2, gw.Proxy.CallsForwardedDirectly);
    }

    [Fact]
    public async Task The_childs_own_error_passes_through_unchanged_on_the_forwarding_path()
    {
        await using var gw = await GatewayHarness.StartAsync(November2025, November2025);

        var error = await Assert.ThrowsAsync<McpProtocolException>(() => gw.Upstream.CallToolAsync("fail", new Dictionary<string, object?>()).AsTask());

        Assert.Equal(McpErrorCode.InvalidParams, error.ErrorCode);
        Assert.Equal("Request failed (remote): the disk is on fire", error.Message);
        Assert.Equal(1, gw.Proxy.CallsForwardedDirectly);
    }

    [Fact]
    public async Task A_call_without_a_name_is_an_invalid_params_error_on_the_forwarding_path()
    {
        await using var gw = await GatewayHarness.StartAsync(November2025, November2025);

        var error = await Assert.ThrowsAsync<McpProtocolException>(() => gw.Upstream.SendRequestAsync(
            new JsonRpcRequest { Method = RequestMethods.ToolsCall, Params = new JsonObject { ["arguments"] = new JsonObject() } }));

        Assert.Equal(McpErrorCode.InvalidParams, error.ErrorCode);
        Assert.Equal(1, gw.Proxy.CallsForwardedDirectly);
    }

    [Fact]
    public async Task A_call_carrying_the_2026_protocol_meta_on_a_handshake_session_is_left_to_the_sdk_server()
    {
        await using var gw = await GatewayHarness.StartAsync(November2025, November2025);
        var parameters = new JsonObject
        {
            ["name"] = "echo",
            ["arguments"] = new JsonObject { ["message"] = "hi" },
            ["_meta"] = new JsonObject { ["io.modelcontextprotocol/protocolVersion"] = July2026 },
        };

        // The SDK server decides what such a request means (2.3.1 accepts it); the forwarding path does not second-guess it.
        _ = await gw.Upstream.SendRequestAsync(new JsonRpcRequest { Method = RequestMethods.ToolsCall, Params = parameters });

        Assert.Equal(0, gw.Proxy.CallsForwardedDirectly);
        Assert.Equal(1, gw.Count("echo"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_high_call_on_the_forwarding_path_is_asked_upstream_and_runs_only_when_approved(bool approve)
    {
        string? asked = null;
        await using var gw = await GatewayHarness.StartAsync(November2025, November2025, elicitation: (request, _) =>
        {
            asked = request?.Message;
            return ValueTask.FromResult(approve
                ? new ElicitResult { Action = "accept", Content = new Dictionary<string, JsonElement> { ["approve"] = JsonSerializer.SerializeToElement(true) } }
                : new ElicitResult { Action = "decline" });
        });

        var result = await gw.Upstream.CallToolAsync("write_note", new Dictionary<string, object?> { ["text"] = "x" });

        Assert.Contains("child/write_note", asked, StringComparison.Ordinal);
        Assert.Equal(approve ? 1 : 0, gw.Count("write_note"));
        Assert.Equal(!approve, result.IsError == true);
        Assert.Equal(1, gw.Proxy.CallsForwardedDirectly);
    }

    [Fact]
    public async Task A_call_the_child_never_answers_fails_after_the_timeout_on_the_forwarding_path()
    {
        await using var gw = await GatewayHarness.StartAsync(November2025, November2025, configure: s => Copy(s, timeout: TimeSpan.FromSeconds(1)));

        var error = await Assert.ThrowsAsync<McpProtocolException>(() => gw.Upstream.CallToolAsync("hang", new Dictionary<string, object?>()).AsTask());

        Assert.Contains("did not answer 'tools/call' within 1 s", error.Message, StringComparison.Ordinal);
        await gw.HangCancelled.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal("echo: still alive", Text(await gw.Upstream.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "still alive" })));
        Assert.Equal(2, gw.Proxy.CallsForwardedDirectly);
    }

    [Theory]
    [InlineData(November2025, 2)]
    [InlineData(July2026, 0)]
    public async Task A_call_the_upstream_client_cancels_is_cancelled_at_the_child(string revision, int forwarded)
    {
        await using var gw = await GatewayHarness.StartAsync(revision, revision);
        using var cancel = new CancellationTokenSource();
        var id = new RequestId("upstream-call-1");
        var call = gw.Upstream.SendRequestAsync(
            new JsonRpcRequest { Id = id, Method = RequestMethods.ToolsCall, Params = new JsonObject { ["name"] = "hang", ["arguments"] = new JsonObject() } },
            cancel.Token);
        await gw.HangStarted.Task.WaitAsync(TimeSpan.FromSeconds(20));

        // The SDK client gives up locally without telling the server: say it on the wire, as other clients do.
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        await gw.Upstream.SendMessageAsync(new JsonRpcNotification
        {
            Method = NotificationMethods.CancelledNotification,
            Params = JsonSerializer.SerializeToNode(new CancelledNotificationParams { RequestId = id }, McpJsonUtilities.DefaultOptions),
        });

        await gw.HangCancelled.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal("echo: next", Text(await gw.Upstream.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "next" })));
        Assert.Equal(forwarded, gw.Proxy.CallsForwardedDirectly);
    }

    [Fact]
    public async Task When_the_child_ends_mid_call_the_forwarded_call_fails_with_that_reason()
    {
        await using var gw = await GatewayHarness.StartAsync(November2025, November2025);
        var call = gw.Upstream.CallToolAsync("hang", new Dictionary<string, object?>()).AsTask();
        await gw.HangStarted.Task.WaitAsync(TimeSpan.FromSeconds(20));

        await gw.StopChildAsync();

        var error = await Assert.ThrowsAsync<McpProtocolException>(() => call.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Contains("ended during 'tools/call'", error.Message, StringComparison.Ordinal);
        Assert.Equal(GatewayExitCodes.ChildFailed, await gw.Gateway.WaitAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task Many_calls_at_once_each_get_their_own_answer_on_the_forwarding_path()
    {
        await using var gw = await GatewayHarness.StartAsync(November2025, November2025);
        var messages = Enumerable.Range(0, 64).Select(i => "m" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();

        // Allowed and denied calls interleaved, all in flight together: every answer must reach the call it belongs to.
        var calls = messages.Select(m => m.EndsWith('7')
            ? gw.Upstream.CallToolAsync("read_file", new Dictionary<string, object?> { ["path"] = "/etc/" + m }).AsTask()
            : gw.Upstream.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = m }).AsTask()).ToArray();
        var results = await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(60));

        for (var i = 0; i < messages.Length; i++)
        {
            if (messages[i].EndsWith('7'))
            {
                Assert.True(results[i].IsError);
                Assert.Contains("path", Text(results[i]), StringComparison.Ordinal);
            }
            else
            {
                Assert.Equal("echo: " + messages[i], Text(results[i]));
            }
        }

        Assert.Equal(0, gw.Count("read_file"));
        Assert.Equal(messages.Length, gw.Proxy.CallsForwardedDirectly);
    }
}
