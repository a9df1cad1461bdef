using System.Security.Claims;
using McpPolicy.Core.Tests.TestSupport;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Core.Tests.Control;

public sealed class LimitFilterTests
{
    private static ClaimsPrincipal User(string subject) => new(new ClaimsIdentity([new Claim("sub", subject)], "test"));

    [Fact]
    public async Task Rate_limit_denies_the_call_over_the_budget_with_its_id_and_refills_over_time()
    {
        var time = new ManualTimeProvider();
        using var h = new ControlHarness(ControlHarness.Policy("""{ "defaults": { "risk": "Low" }, "limits": { "perTool": { "fs/*": { "perMinute": 3 } } } }"""), time);

        for (var i = 0; i < 3; i++)
        {
            ControlAssert.Ran(await h.CallAsync("fs/read"));
        }

        var denied = await h.CallAsync("fs/write");
        Assert.Equal("limits.perTool[fs/*].perMinute", ControlAssert.RuleId(denied));
        Assert.Contains("3 calls per minute", ControlAssert.Text(denied), StringComparison.Ordinal);
        ControlAssert.Ran(await h.CallAsync("web/fetch"));

        time.Advance(TimeSpan.FromSeconds(19));
        Assert.Equal("limits.perTool[fs/*].perMinute", ControlAssert.RuleId(await h.CallAsync("fs/read")));
        time.Advance(TimeSpan.FromSeconds(1));
        ControlAssert.Ran(await h.CallAsync("fs/read"));
        Assert.Equal("limits.perTool[fs/*].perMinute", ControlAssert.RuleId(await h.CallAsync("fs/read")));
    }

    [Fact]
    public async Task Each_principal_has_its_own_bucket()
    {
        var time = new ManualTimeProvider();
        using var h = new ControlHarness(ControlHarness.Policy("""{ "defaults": { "risk": "Low" }, "limits": { "perTool": { "*/*": { "perMinute": 1 } } } }"""), time);

        ControlAssert.Ran(await h.CallAsync("a/t", principal: User("alice")));
        Assert.Equal("limits.perTool[*/*].perMinute", ControlAssert.RuleId(await h.CallAsync("a/t", principal: User("alice"))));
        ControlAssert.Ran(await h.CallAsync("a/t", principal: User("bob")));
        ControlAssert.Ran(await h.CallAsync("a/t"));
        Assert.Equal("limits.perTool[*/*].perMinute", ControlAssert.RuleId(await h.CallAsync("a/t")));
    }

    [Fact]
    public async Task Every_matching_entry_applies()
    {
        var time = new ManualTimeProvider();
        using var h = new ControlHarness(ControlHarness.Policy("""{ "defaults": { "risk": "Low" }, "limits": { "perTool": { "*/*": { "perMinute": 10 }, "shell/*": { "perMinute": 1 } } } }"""), time);

        ControlAssert.Ran(await h.CallAsync("shell/run"));
        Assert.Equal("limits.perTool[shell/*].perMinute", ControlAssert.RuleId(await h.CallAsync("shell/run")));
        ControlAssert.Ran(await h.CallAsync("fs/read"));
    }

    [Fact]
    public async Task Concurrency_limit_is_per_tool_and_frees_when_a_call_finishes()
    {
        var gate = new TaskCompletionSource<CallToolResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var h = new ControlHarness(ControlHarness.Policy("""{ "defaults": { "risk": "Low" }, "limits": { "perTool": { "fs/*": { "concurrency": 1 } } } }"""))
        {
            Tool = (ctx, _) => ctx.ToolName == "slow" ? new ValueTask<CallToolResult>(gate.Task) : new ValueTask<CallToolResult>(ControlHarness.Ran()),
        };

        var running = h.CallAsync("fs/slow").AsTask();
        Assert.False(running.IsCompleted);

        var denied = await h.CallAsync("fs/slow");
        Assert.Equal("limits.perTool[fs/*].concurrency", ControlAssert.RuleId(denied));
        ControlAssert.Ran(await h.CallAsync("fs/other"));

        gate.SetResult(ControlHarness.Ran());
        ControlAssert.Ran(await running);
        gate = new TaskCompletionSource<CallToolResult>();
        gate.SetResult(ControlHarness.Ran());
        ControlAssert.Ran(await h.CallAsync("fs/slow"));
    }

    [Fact]
    public async Task Concurrency_permit_is_returned_when_a_later_limit_denies()
    {
        var time = new ManualTimeProvider();
        using var h = new ControlHarness(ControlHarness.Policy("""{ "defaults": { "risk": "Low" }, "limits": { "perTool": { "fs/*": { "concurrency": 1, "perMinute": 1 } } } }"""), time);

        ControlAssert.Ran(await h.CallAsync("fs/read"));
        Assert.Equal("limits.perTool[fs/*].perMinute", ControlAssert.RuleId(await h.CallAsync("fs/read")));
        time.Advance(TimeSpan.FromMinutes(1));
        ControlAssert.Ran(await h.CallAsync("fs/read"));
    }

    [Fact]
    public async Task Slow_tool_is_cancelled_at_its_timeout_and_denied_with_the_limit_id()
    {
        var time = new ManualTimeProvider();
        var sawCancel = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var h = new ControlHarness(ControlHarness.Policy("""{ "defaults": { "risk": "Low" }, "limits": { "perTool": { "*/*": { "timeout": "00:01:00" }, "slow/*": { "timeout": "00:00:10" } } } }"""), time)
        {
            Tool = async (_, ct) =>
            {
                try
                {
                    await Task.Delay(Timeout.InfiniteTimeSpan, ct);
                }
                catch (OperationCanceledException)
                {
                    sawCancel.SetResult(true);
                    throw;
                }

                return ControlHarness.Ran();
            },
        };

        var call = h.CallAsync("slow/job").AsTask();
        time.Advance(TimeSpan.FromSeconds(9));
        Assert.False(call.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        var result = await call.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal("limits.perTool[slow/*].timeout", ControlAssert.RuleId(result));
        Assert.True(await sawCancel.Task.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Tool_that_ignores_cancellation_is_still_answered_with_a_denial_at_its_timeout()
    {
        var time = new ManualTimeProvider();
        var never = new TaskCompletionSource<CallToolResult>();
        using var h = new ControlHarness(ControlHarness.Policy("""{ "defaults": { "risk": "Low" }, "limits": { "perTool": { "*/*": { "timeout": "00:00:05" } } } }"""), time)
        {
            Tool = (_, _) => new ValueTask<CallToolResult>(never.Task),
        };

        var call = h.CallAsync("a/b").AsTask();
        time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal("limits.perTool[*/*].timeout", ControlAssert.RuleId(await call.WaitAsync(TimeSpan.FromSeconds(30))));
    }

    [Fact]
    public async Task Fast_tool_is_not_affected_by_its_timeout()
    {
        using var h = new ControlHarness(ControlHarness.Policy("""{ "defaults": { "risk": "Low" }, "limits": { "perTool": { "*/*": { "timeout": "00:00:05" } } } }"""), new ManualTimeProvider());

        ControlAssert.Ran(await h.CallAsync("a/b"));
        Assert.Equal(1, h.Invocations);
    }

    [Fact]
    public async Task Conversation_call_budget_is_counted_per_conversation()
    {
        using var h = new ControlHarness(ControlHarness.Policy("""{ "defaults": { "risk": "Low" }, "limits": { "perConversation": { "maxCalls": 2 } } }"""));

        ControlAssert.Ran(await h.CallAsync("a/b", conversation: "c1"));
        ControlAssert.Ran(await h.CallAsync("a/b", conversation: "c1"));
        Assert.Equal("limits.perConversation.maxCalls", ControlAssert.RuleId(await h.CallAsync("a/b", conversation: "c1")));
        ControlAssert.Ran(await h.CallAsync("a/b", conversation: "c2"));
        ControlAssert.Ran(await h.CallAsync("a/b"));

        Assert.True(h.Limits.ForgetConversation("c1"));
        ControlAssert.Ran(await h.CallAsync("a/b", conversation: "c1"));
    }

    [Fact]
    public async Task Conversation_approval_budget_denies_before_anyone_is_asked()
    {
        var approver = new CountingApprover();
        using var h = new ControlHarness(ControlHarness.Policy("""{ "defaults": { "risk": "Low" }, "tools": [ { "match": "bank/*", "risk": "High" } ], "limits": { "perConversation": { "maxApprovals": 1 } } }"""), approvals: approver);

        ControlAssert.Ran(await h.CallAsync("bank/send", conversation: "c"));
        Assert.Equal("limits.perConversation.maxApprovals", ControlAssert.RuleId(await h.CallAsync("bank/send", conversation: "c")));
        ControlAssert.Ran(await h.CallAsync("fs/read", conversation: "c"));

        Assert.Equal(1, approver.Asked);
        Assert.Equal((2, 1, 0L), h.Limits.Used("c"));
    }

    [Fact]
    public async Task Sink_byte_budget_counts_only_arguments_sent_to_external_sinks()
    {
        using var h = new ControlHarness(ControlHarness.Policy("""
            { "defaults": { "risk": "Low" }, "labels": { "http/*": ["externalSink"], "fs/*": ["privateData"] },
              "limits": { "perConversation": { "maxSinkBytes": 40 } } }
            """));

        // {"body":"0123456789"} is 21 bytes.
        ControlAssert.Ran(await h.CallAsync("http/post", """{ "body": "0123456789" }""", "c"));
        ControlAssert.Ran(await h.CallAsync("fs/write", """{ "body": "a much longer text that is not sent anywhere" }""", "c"));
        var denied = await h.CallAsync("http/post", """{ "body": "0123456789" }""", "c");

        Assert.Equal("limits.perConversation.maxSinkBytes", ControlAssert.RuleId(denied));
        Assert.Equal(21, h.Limits.Used("c")!.Value.SinkBytes);
        ControlAssert.Ran(await h.CallAsync("http/post", """{ "b": "0123456" }""", "c"));
        Assert.Equal(36, h.Limits.Used("c")!.Value.SinkBytes);
    }

    [Fact]
    public async Task Tool_with_no_label_entry_is_a_sink_when_its_server_is_untrusted_or_it_is_unknown()
    {
        using var h = new ControlHarness(ControlHarness.Policy("""
            { "defaults": { "risk": "Low", "unknownTool": "Low" }, "servers": { "docs": { "trusted": true } },
              "limits": { "perConversation": { "maxSinkBytes": 0 } } }
            """));

        // Calls.Known gives closed-world hints: a trusted server's closed-world tool is no sink; an untrusted server's is.
        ControlAssert.Ran(await h.CallAsync("docs/search", """{ "q": "x" }""", "c"));
        Assert.Equal("limits.perConversation.maxSinkBytes", ControlAssert.RuleId(await h.CallAsync("web/search", """{ "q": "x" }""", "c")));
    }

    [Fact]
    public async Task Reload_keeps_the_counters_of_unchanged_entries_and_starts_changed_ones_afresh()
    {
        var time = new ManualTimeProvider();
        using var h = new ControlHarness(ControlHarness.Policy("""{ "defaults": { "risk": "Low" }, "limits": { "perTool": { "a/*": { "perMinute": 1 }, "b/*": { "perMinute": 1 } } } }"""), time);
        ControlAssert.Ran(await h.CallAsync("a/x"));
        ControlAssert.Ran(await h.CallAsync("b/x"));

        h.Limits.Reload(ControlHarness.Policy("""{ "limits": { "perTool": { "a/*": { "perMinute": 1 }, "b/*": { "perMinute": 2 } } } }"""));

        Assert.Equal("limits.perTool[a/*].perMinute", ControlAssert.RuleId(await h.CallAsync("a/x")));
        ControlAssert.Ran(await h.CallAsync("b/x"));
    }

    [Fact]
    public void Invalid_limits_are_rejected_naming_each_problem()
    {
        var options = new McpPolicyOptions();
        options.Limits.PerTool["nope"] = new ToolLimitPolicy { PerMinute = 1 };
        options.Limits.PerTool["a/*"] = new ToolLimitPolicy { PerMinute = 0, Concurrency = -1, Timeout = TimeSpan.Zero };
        options.Limits.PerTool["b/*"] = new ToolLimitPolicy();
        options.Limits.PerConversation.MaxCalls = -1;

        var ex = Assert.Throws<PolicyValidationException>(() => new LimitFilter(options));

        Assert.Equal(
            ["$.limits.perTool.a/*.perMinute", "$.limits.perTool.a/*.concurrency", "$.limits.perTool.a/*.timeout", "$.limits.perTool.b/*", "$.limits.perTool.nope", "$.limits.perConversation.maxCalls"],
            ex.Errors.Select(e => e.Path));
    }

    [Fact]
    public async Task A_limit_that_fails_denies_the_call()
    {
        using var h = new ControlHarness(ControlHarness.Policy("""{ "defaults": { "risk": "Low" }, "limits": { "perTool": { "*/*": { "perMinute": 5 } } } }"""), new ThrowingClock());

        Assert.Equal("limits.error", ControlAssert.RuleId(await h.CallAsync("a/b")));
        Assert.Equal(0, h.Invocations);
    }

    [Fact]
    public void Principal_key_prefers_the_subject_then_the_name_identifier_then_the_name()
    {
        Assert.Equal("p:s", LimitFilter.PrincipalKey(new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", "s"), new Claim(ClaimTypes.NameIdentifier, "n"), new Claim(ClaimTypes.Name, "m")], "t"))));
        Assert.Equal("p:n", LimitFilter.PrincipalKey(new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, "n"), new Claim(ClaimTypes.Name, "m")], "t"))));
        Assert.Equal("p:m", LimitFilter.PrincipalKey(new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "m")], "t"))));
        Assert.Equal("", LimitFilter.PrincipalKey(new ClaimsPrincipal(new ClaimsIdentity())));
        Assert.Equal("", LimitFilter.PrincipalKey(null));
    }

    private sealed class CountingApprover : IApprovalHandler
    {
        public int Asked { get; private set; }

        public ValueTask<ApprovalResponse> RequestApprovalAsync(ApprovalRequest request, CancellationToken cancellationToken)
        {
            Asked++;
            return new ValueTask<ApprovalResponse>(ApprovalResponse.Approve("operator"));
        }
    }

    private sealed class ThrowingClock : TimeProvider
    {
        public override long GetTimestamp() => throw new InvalidOperationException("clock broken");
    }
}
