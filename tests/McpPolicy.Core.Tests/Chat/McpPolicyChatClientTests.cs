using System.Runtime.CompilerServices;
using McpPolicy.Core.Tests.TestSupport;
using Microsoft.Extensions.AI;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Core.Tests.Chat;

public sealed class McpPolicyChatClientTests
{
    private const string Policy = """
        {
          "servers": { "bank": { "trusted": true } },
          "tools": [
            { "match": "bank/send_money", "risk": "Low" },
            { "match": "bank/balance", "risk": "Low" }
          ],
          "rules": [ { "id": "large-transfer", "match": "bank/send_money", "when": { "amount": { "min": 1000 } }, "risk": "High", "reason": "transfers of 1000 or more need approval" } ]
        }
        """;

    private readonly ManualTimeProvider _time = new();
    private readonly InMemoryApprovalStore _store = new();
    private readonly PolicyEvaluator _evaluator = new(PolicyLoader.FromJson(Policy));
    private readonly McpPolicyChatApprovals _approvals;
    private int _invocations;

    public McpPolicyChatClientTests()
    {
        _approvals = new McpPolicyChatApprovals(_store, _time);
    }

    private static McpPolicyToolBinding? Resolve(string name)
        => name is "send_money" or "balance" ? new McpPolicyToolBinding("bank", new ToolDescriptor(name)) : null;

    private McpPolicyChatClient Client(params AIContent[] modelOutput)
        => new(new ScriptedModel(modelOutput), _evaluator, _approvals, Resolve, _time);

    private static FunctionCallContent Call(string id, string name, int amount)
        => new(id, name, new Dictionary<string, object?> { ["to"] = "bob", ["amount"] = amount });

    private ValueTask<CallToolResult> Transport(FunctionCallContent call)
    {
        var pipeline = new ToolInvocationPipeline([new PolicyAssessmentFilter(_evaluator), new PolicyDecisionFilter(_evaluator, _store, handler: null, _time)]);
        var args = McpPolicyChatApprovals.ArgumentsOf(call);
        var context = new ToolInvocationContext("bank", call.Name, args, new ToolDescriptor(call.Name))
        {
            Invoker = (_, _) =>
            {
                _invocations++;
                return ValueTask.FromResult(new CallToolResult { Content = [new TextContentBlock { Text = "sent" }] });
            },
        };
        return pipeline.InvokeAsync(context);
    }

    [Fact]
    public async Task High_call_becomes_an_approval_request_and_low_call_is_left_alone()
    {
        var client = Client(Call("c1", "send_money", 5000), Call("c2", "send_money", 5), Call("c3", "unrelated", 1));

        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "pay bob")]);
        var contents = response.Messages.Single().Contents;

        var request = Assert.IsType<ToolApprovalRequestContent>(contents[0]);
        Assert.Equal("c1", Assert.IsType<FunctionCallContent>(request.ToolCall).CallId);
        Assert.IsType<FunctionCallContent>(contents[1]);
        Assert.IsType<FunctionCallContent>(contents[2]);
        Assert.Equal(1, _approvals.PendingCount);
    }

    [Fact]
    public async Task Streaming_responses_are_rewritten_too()
    {
        var client = Client(Call("c1", "send_money", 5000));

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "pay")]))
        {
            updates.Add(update);
        }

        Assert.IsType<ToolApprovalRequestContent>(Assert.Single(updates.SelectMany(u => u.Contents)));
    }

    [Fact]
    public async Task Approve_grants_exactly_that_call_and_the_transport_lets_it_through_once()
    {
        var client = Client(Call("c1", "send_money", 5000));
        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "pay")]);
        var request = Assert.IsType<ToolApprovalRequestContent>(response.Messages.Single().Contents.Single());

        var answer = _approvals.Approve(request, "alice");
        Assert.True(answer.Approved);

        var different = await Transport(Call("c9", "send_money", 5001));
        Assert.True(different.IsError);
        var approved = await Transport((FunctionCallContent)request.ToolCall);
        Assert.NotEqual(true, approved.IsError);
        var replay = await Transport((FunctionCallContent)request.ToolCall);
        Assert.True(replay.IsError);
        Assert.Equal(1, _invocations);
    }

    [Fact]
    public async Task A_plain_response_without_a_grant_is_refused_by_the_transport()
    {
        var client = Client(Call("c1", "send_money", 5000));
        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "pay")]);
        var request = Assert.IsType<ToolApprovalRequestContent>(response.Messages.Single().Contents.Single());

        _ = request.CreateResponse(true);
        var result = await Transport((FunctionCallContent)request.ToolCall);

        Assert.True(result.IsError);
        Assert.Equal(0, _invocations);
    }

    [Fact]
    public async Task Deny_records_nothing_and_an_answered_request_cannot_be_approved_later()
    {
        var client = Client(Call("c1", "send_money", 5000));
        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "pay")]);
        var request = Assert.IsType<ToolApprovalRequestContent>(response.Messages.Single().Contents.Single());

        Assert.False(_approvals.Deny(request, "no").Approved);
        Assert.Throws<InvalidOperationException>(() => _approvals.Approve(request, "alice"));
        Assert.True((await Transport((FunctionCallContent)request.ToolCall)).IsError);
    }

    [Fact]
    public async Task Expired_request_cannot_be_approved()
    {
        var client = Client(Call("c1", "send_money", 5000));
        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "pay")]);
        var request = Assert.IsType<ToolApprovalRequestContent>(response.Messages.Single().Contents.Single());

        _time.Advance(TimeSpan.FromMinutes(3));

        Assert.Throws<InvalidOperationException>(() => _approvals.Approve(request, "alice"));
    }

    private sealed class ScriptedModel(AIContent[] output) : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
            => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, [.. output])));

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            foreach (var item in output)
            {
                await Task.Yield();
                yield return new ChatResponseUpdate(ChatRole.Assistant, [item]);
            }
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
