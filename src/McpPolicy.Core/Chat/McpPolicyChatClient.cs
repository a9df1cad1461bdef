using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace McpPolicy;

/// <summary>
/// Makes HIGH tool calls visible in a chat flow. Placed between the function-invoking client and the model, it evaluates every
/// function call the model proposes for an MCP tool; a call that needs approval is replaced by a <see cref="ToolApprovalRequestContent"/>,
/// which the function-invoking client hands to the application. The application answers with
/// <see cref="McpPolicyChatApprovals.Approve"/>, which records an approval bound to the exact call. The transport still enforces
/// every call: this client only moves the question to where a user can answer it.
/// </summary>
public sealed class McpPolicyChatClient : DelegatingChatClient
{
    private const string RequestIdPrefix = "mcppolicy-approval-";

    private readonly IPolicyEvaluator _evaluator;
    private readonly McpPolicyChatApprovals _approvals;
    private readonly Func<string, McpPolicyToolBinding?> _resolve;
    private readonly TimeProvider _time;

    /// <summary>Creates the client.</summary>
    /// <param name="innerClient">The model client.</param>
    /// <param name="evaluator">The policy.</param>
    /// <param name="approvals">Tracks raised approval requests.</param>
    /// <param name="resolve">Maps a function name to its MCP server and tool; null means the function is not an MCP tool and is left alone.</param>
    /// <param name="time">The clock.</param>
    public McpPolicyChatClient(IChatClient innerClient, IPolicyEvaluator evaluator, McpPolicyChatApprovals approvals, Func<string, McpPolicyToolBinding?> resolve, TimeProvider? time = null)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(evaluator);
        ArgumentNullException.ThrowIfNull(approvals);
        ArgumentNullException.ThrowIfNull(resolve);
        _evaluator = evaluator;
        _approvals = approvals;
        _resolve = resolve;
        _time = time ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        foreach (var message in response.Messages)
        {
            Rewrite(message.Contents);
        }

        return response;
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            Rewrite(update.Contents);
            yield return update;
        }
    }

    private void Rewrite(IList<AIContent> contents)
    {
        for (var i = 0; i < contents.Count; i++)
        {
            if (contents[i] is not FunctionCallContent call || _resolve(call.Name) is not { } binding)
            {
                continue;
            }

            ToolInvocationContext context;
            try
            {
                context = new ToolInvocationContext(binding.ServerId, binding.Tool.Name, McpPolicyChatApprovals.ArgumentsOf(call), binding.Tool);
            }
            catch (Exception ex) when (ex is ArgumentException or NotSupportedException or System.Text.Json.JsonException)
            {
                // Arguments that cannot be read are left for the transport, which denies them.
                continue;
            }

            var decision = _evaluator.Evaluate(context);
            if (decision.Outcome != PolicyOutcome.RequiresApproval)
            {
                continue;
            }

            var requestId = RequestIdPrefix + (string.IsNullOrEmpty(call.CallId) ? Guid.NewGuid().ToString("N") : call.CallId);
            var approval = _evaluator.Approval;
            _approvals.Register(requestId, ApprovalDigest.Compute(context, decision.PolicyVersion), _time.GetUtcNow() + approval.Timeout, approval.SingleUse);
            contents[i] = new ToolApprovalRequestContent(requestId, call);
        }
    }
}
