using McpPolicy.Core.Tests.TestSupport;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Core.Tests.Approvals;

public sealed class ApprovalFlowTests
{
    private const string Policy = """
        {
          "servers": { "bank": { "trusted": true } },
          "tools": [
            { "match": "bank/send_money", "risk": "High", "reason": "moving money needs a human" },
            { "match": "bank/balance", "risk": "Low" }
          ],
          "approval": { "timeout": "00:01:00", "singleUse": true }
        }
        """;

    private readonly ManualTimeProvider _time = new();
    private readonly InMemoryApprovalStore _store = new();
    private int _invocations;

    private (ToolInvocationPipeline Pipeline, PolicyEvaluator Evaluator) Build(IApprovalHandler? handler, string policy = Policy)
    {
        var evaluator = new PolicyEvaluator(PolicyLoader.FromJson(policy));
        var pipeline = new ToolInvocationPipeline([
            new PolicyAssessmentFilter(evaluator),
            new PolicyDecisionFilter(evaluator, _store, handler, _time),
        ]);
        return (pipeline, evaluator);
    }

    private ToolInvocationContext Call(string tool, string args) => new("bank", tool, ToolArguments.Parse(args), new ToolDescriptor(tool))
    {
        Invoker = (_, _) =>
        {
            Interlocked.Increment(ref _invocations);
            return ValueTask.FromResult(new CallToolResult { Content = [new TextContentBlock { Text = "done" }] });
        },
    };

    private static string Text(CallToolResult result) => Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text;

    [Fact]
    public async Task Approved_high_call_runs_and_carries_the_approver_and_digest()
    {
        var handler = new ScriptedHandler(_ => ApprovalResponse.Approve("alice"));
        var (pipeline, evaluator) = Build(handler);
        var call = Call("send_money", """{"to":"bob","amount":10}""");

        var result = await pipeline.InvokeAsync(call);

        Assert.NotEqual(true, result.IsError);
        Assert.Equal(1, _invocations);
        Assert.Equal("alice", call.Approval!.Approver);
        Assert.Equal(ApprovalDigest.Compute(call, evaluator.PolicyVersion), call.Approval.Digest);
        var request = Assert.Single(handler.Requests);
        Assert.Equal(RiskLevel.High, request.Risk);
        Assert.Equal("bank/send_money", request.QualifiedName);
        Assert.Contains("\"amount\": 10", request.ArgumentsPreview, StringComparison.Ordinal);
        Assert.Contains(request.Reasons, r => r.Message == "moving money needs a human");
    }

    [Fact]
    public async Task Denied_high_call_does_not_run_and_names_the_approver()
    {
        var (pipeline, _) = Build(new ScriptedHandler(_ => ApprovalResponse.Deny("alice", "not today")));

        var result = await pipeline.InvokeAsync(Call("send_money", """{"to":"bob"}"""));

        Assert.True(result.IsError);
        Assert.Equal(0, _invocations);
        Assert.Contains("alice did not approve", Text(result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Approval_without_an_approver_identity_is_a_denial()
    {
        var (pipeline, _) = Build(new ScriptedHandler(_ => new ApprovalResponse(true, " ")));

        var result = await pipeline.InvokeAsync(Call("send_money", "{}"));

        Assert.True(result.IsError);
        Assert.Equal(0, _invocations);
    }

    [Fact]
    public async Task Handler_that_never_answers_times_out_into_a_denial()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new ScriptedHandler(async (_, _) =>
        {
            started.SetResult();
            await Task.Delay(Timeout.Infinite, CancellationToken.None); // ignores its token on purpose
            return ApprovalResponse.Approve("too-late");
        });
        var (pipeline, _) = Build(handler);

        var pending = pipeline.InvokeAsync(Call("send_money", "{}")).AsTask();
        await started.Task;
        Assert.False(pending.IsCompleted);
        _time.Advance(TimeSpan.FromMinutes(1));
        var result = await pending.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(result.IsError);
        Assert.Equal(0, _invocations);
        Assert.Contains("no approval arrived in time", Text(result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Handler_that_throws_denies_without_leaking_the_exception()
    {
        var (pipeline, _) = Build(new ScriptedHandler(_ => throw new InvalidOperationException("secret connection string")));

        var result = await pipeline.InvokeAsync(Call("send_money", "{}"));

        Assert.True(result.IsError);
        Assert.Equal(0, _invocations);
        Assert.DoesNotContain("secret", Text(result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_handler_means_high_calls_are_denied()
    {
        var (pipeline, _) = Build(handler: null);

        var result = await pipeline.InvokeAsync(Call("send_money", "{}"));

        Assert.True(result.IsError);
        Assert.Equal(0, _invocations);
        Assert.Contains("no approver is configured", Text(result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Low_calls_never_ask_the_handler()
    {
        var handler = new ScriptedHandler(_ => ApprovalResponse.Deny("alice"));
        var (pipeline, _) = Build(handler);

        var result = await pipeline.InvokeAsync(Call("balance", "{}"));

        Assert.NotEqual(true, result.IsError);
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task Stored_grant_is_single_use_and_a_replay_is_refused()
    {
        var (pipeline, evaluator) = Build(handler: null);
        var first = Call("send_money", """{"to":"bob","amount":10}""");
        var digest = ApprovalDigest.Compute(first, evaluator.PolicyVersion);
        _store.Grant(digest, new ApprovalGrant(true, "alice", digest), _time.GetUtcNow().AddMinutes(1), singleUse: true);

        var ok = await pipeline.InvokeAsync(first);
        var replay = await pipeline.InvokeAsync(Call("send_money", """{"to":"bob","amount":10}"""));

        Assert.NotEqual(true, ok.IsError);
        Assert.True(replay.IsError);
        Assert.Equal(1, _invocations);
    }

    [Fact]
    public async Task Approval_replayed_for_different_arguments_is_refused()
    {
        var (pipeline, evaluator) = Build(handler: null);
        var approved = Call("send_money", """{"to":"bob","amount":10}""");
        var digest = ApprovalDigest.Compute(approved, evaluator.PolicyVersion);
        _store.Grant(digest, new ApprovalGrant(true, "alice", digest), _time.GetUtcNow().AddMinutes(1), singleUse: false);

        var result = await pipeline.InvokeAsync(Call("send_money", """{"to":"mallory","amount":10}"""));

        Assert.True(result.IsError);
        Assert.Equal(0, _invocations);
    }

    [Fact]
    public async Task Same_arguments_in_another_key_order_use_the_same_approval()
    {
        var (pipeline, evaluator) = Build(handler: null);
        var approved = Call("send_money", """{"to":"bob","amount":10}""");
        var digest = ApprovalDigest.Compute(approved, evaluator.PolicyVersion);
        _store.Grant(digest, new ApprovalGrant(true, "alice", digest), _time.GetUtcNow().AddMinutes(1), singleUse: true);

        var result = await pipeline.InvokeAsync(Call("send_money", """{ "amount": 10.0, "to": "bob" }"""));

        Assert.NotEqual(true, result.IsError);
    }

    [Fact]
    public async Task Expired_approval_is_refused()
    {
        var (pipeline, evaluator) = Build(handler: null);
        var call = Call("send_money", "{}");
        var digest = ApprovalDigest.Compute(call, evaluator.PolicyVersion);
        _store.Grant(digest, new ApprovalGrant(true, "alice", digest), _time.GetUtcNow().AddMinutes(1), singleUse: true);

        _time.Advance(TimeSpan.FromMinutes(1));
        var result = await pipeline.InvokeAsync(call);

        Assert.True(result.IsError);
        Assert.Equal(0, _invocations);
    }

    [Fact]
    public async Task Reusable_approval_is_reused_until_it_expires_then_asked_again()
    {
        var handler = new ScriptedHandler(_ => ApprovalResponse.Approve("alice"));
        var (pipeline, _) = Build(handler, Policy.Replace("\"singleUse\": true", "\"singleUse\": false", StringComparison.Ordinal));

        await pipeline.InvokeAsync(Call("send_money", """{"amount":1}"""));
        await pipeline.InvokeAsync(Call("send_money", """{"amount":1}"""));
        Assert.Single(handler.Requests);

        _time.Advance(TimeSpan.FromMinutes(2));
        await pipeline.InvokeAsync(Call("send_money", """{"amount":1}"""));
        Assert.Equal(2, handler.Requests.Count);
        Assert.Equal(3, _invocations);
    }

    [Fact]
    public void Digest_binds_server_tool_arguments_definition_and_policy_version()
    {
        static ToolInvocationContext Make(string server = "bank", string tool = "t", string args = """{"a":1}""", string hash = "h1")
            => new(server, tool, ToolArguments.Parse(args), new ToolDescriptor(tool) { DefinitionHash = hash });

        var baseline = ApprovalDigest.Compute(Make(), "v1");
        Assert.Equal(baseline, ApprovalDigest.Compute(Make(), "v1"));
        Assert.NotEqual(baseline, ApprovalDigest.Compute(Make(server: "bank2"), "v1"));
        Assert.NotEqual(baseline, ApprovalDigest.Compute(Make(tool: "u"), "v1"));
        Assert.NotEqual(baseline, ApprovalDigest.Compute(Make(args: """{"a":2}"""), "v1"));
        Assert.NotEqual(baseline, ApprovalDigest.Compute(Make(hash: "h2"), "v1"));
        Assert.NotEqual(baseline, ApprovalDigest.Compute(Make(), "v2"));
    }

    [Fact]
    public void Preview_shortens_long_strings_and_caps_the_total()
    {
        var preview = ApprovalDigest.Preview(ToolArguments.Parse($$"""{"body":"{{new string('x', 500)}}"}"""), maxStringLength: 20, maxTotalLength: 2000);

        Assert.Contains("(480 more characters)", preview, StringComparison.Ordinal);
        Assert.True(ApprovalDigest.Preview(ToolArguments.Parse($$"""{"a":"{{new string('y', 5000)}}"}"""), 10_000, 100).Length < 200);
    }

    [Fact]
    public void Store_refuses_a_grant_bound_to_another_digest()
    {
        Assert.Throws<ArgumentException>(() => _store.Grant("d1", new ApprovalGrant(true, "alice", "d2"), _time.GetUtcNow().AddMinutes(1), true));
        Assert.Throws<ArgumentException>(() => _store.Grant("d1", new ApprovalGrant(false, "alice", "d1"), _time.GetUtcNow().AddMinutes(1), true));
    }

    [Fact]
    public async Task Racing_calls_cannot_both_use_a_single_use_grant()
    {
        var now = _time.GetUtcNow();
        for (var round = 0; round < 50; round++)
        {
            var digest = "d" + round;
            _store.Grant(digest, new ApprovalGrant(true, "alice", digest), now.AddMinutes(1), singleUse: true);
            var wins = 0;
            await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
            {
                if (_store.TryConsume(digest, now, out ApprovalGrant? _))
                {
                    Interlocked.Increment(ref wins);
                }
            })));
            Assert.Equal(1, wins);
        }
    }

    [Fact]
    public void Digest_keeps_large_integers_exact_so_one_approval_cannot_cover_a_neighbouring_number()
    {
        static string Digest(string args) => ApprovalDigest.Compute(new ToolInvocationContext("bank", "pay", ToolArguments.Parse(args), new ToolDescriptor("pay") { DefinitionHash = "h" }), "v1");

        Assert.NotEqual(Digest("""{"account":9007199254740993}"""), Digest("""{"account":9007199254740992}"""));
        Assert.NotEqual(Digest("""{"account":12345678901234567890123}"""), Digest("""{"account":12345678901234567890124}"""));
        Assert.Equal(Digest("""{"n":10}"""), Digest("""{"n":10.0}"""));
        Assert.Equal(Digest("""{"n":10}"""), Digest("""{"n":1e1}"""));
        Assert.NotEqual(Digest("""{"n":5}"""), Digest("""{"n":"5"}"""));
        Assert.NotEqual(Digest("""{"n":{"a":1}}"""), Digest("""{"n":["a",1]}"""));
    }

    [Fact]
    public void Store_sweeps_expired_grants_as_new_ones_arrive()
    {
        var store = new InMemoryApprovalStore(_time);
        for (var i = 0; i < 10; i++)
        {
            store.Grant("old" + i, new ApprovalGrant(true, "alice", "old" + i), _time.GetUtcNow().AddMinutes(1), singleUse: true);
        }

        _time.Advance(TimeSpan.FromMinutes(2));
        for (var i = 0; i < InMemoryApprovalStore.SweepInterval; i++)
        {
            store.Grant("new" + i, new ApprovalGrant(true, "alice", "new" + i), _time.GetUtcNow().AddMinutes(1), singleUse: true);
        }

        Assert.True(store.Count <= InMemoryApprovalStore.SweepInterval, $"expired grants were kept: {store.Count}");
    }

    private sealed class ScriptedHandler : IApprovalHandler
    {
        private readonly Func<ApprovalRequest, CancellationToken, Task<ApprovalResponse>> _answer;

        public ScriptedHandler(Func<ApprovalRequest, ApprovalResponse> answer)
            : this((r, _) => Task.FromResult(answer(r)))
        {
        }

        public ScriptedHandler(Func<ApprovalRequest, CancellationToken, Task<ApprovalResponse>> answer) => _answer = answer;

        public List<ApprovalRequest> Requests { get; } = [];

        public async ValueTask<ApprovalResponse> RequestApprovalAsync(ApprovalRequest request, CancellationToken cancellationToken)
        {
            lock (Requests)
            {
                Requests.Add(request);
            }

            return await _answer(request, cancellationToken);
        }
    }
}
