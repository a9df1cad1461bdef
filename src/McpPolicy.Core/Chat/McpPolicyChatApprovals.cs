using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace McpPolicy;

/// <summary>
/// Turns a user's answer to a <see cref="ToolApprovalRequestContent"/> raised by <see cref="McpPolicyChatClient"/> into an approval
/// bound to that exact call. Call <see cref="Approve"/> (not <c>CreateResponse(true)</c>) so the approver's identity is recorded
/// and the grant reaches the policy; a plain response without a grant is refused when the call reaches the transport.
/// </summary>
public sealed class McpPolicyChatApprovals
{
    private readonly IApprovalStore _store;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, Pending> _pending = new(StringComparer.Ordinal);

    /// <summary>Creates the service.</summary>
    /// <param name="store">Where grants are recorded for the decision filter.</param>
    /// <param name="time">The clock.</param>
    public McpPolicyChatApprovals(IApprovalStore store, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Approves the call in <paramref name="request"/> on behalf of <paramref name="approver"/> and returns the response to add to the chat.</summary>
    /// <param name="request">An approval request raised by <see cref="McpPolicyChatClient"/>.</param>
    /// <param name="approver">Who approved (recorded with the grant).</param>
    /// <param name="comment">An optional note.</param>
    /// <returns>The approval response content.</returns>
    /// <exception cref="InvalidOperationException">The request is unknown or has expired.</exception>
    public ToolApprovalResponseContent Approve(ToolApprovalRequestContent request, string approver, string? comment = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrWhiteSpace(approver);
        if (!_pending.TryRemove(request.RequestId, out var pending))
        {
            throw new InvalidOperationException($"The approval request '{request.RequestId}' was not raised by McpPolicy or was already answered.");
        }

        if (_time.GetUtcNow() >= pending.ExpiresAt)
        {
            throw new InvalidOperationException($"The approval request '{request.RequestId}' has expired; the call must be proposed again.");
        }

        _store.Grant(pending.Digest, new ApprovalGrant(true, approver, pending.Digest, comment), pending.ExpiresAt, pending.SingleUse);
        return request.CreateResponse(true, comment);
    }

    /// <summary>Refuses the call in <paramref name="request"/> and returns the response to add to the chat.</summary>
    /// <param name="request">An approval request raised by <see cref="McpPolicyChatClient"/>.</param>
    /// <param name="reason">An optional reason, shown to the model.</param>
    /// <returns>The refusal response content.</returns>
    public ToolApprovalResponseContent Deny(ToolApprovalRequestContent request, string? reason = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        _pending.TryRemove(request.RequestId, out _);
        return request.CreateResponse(false, reason);
    }

    /// <summary>The number of approval requests waiting for an answer.</summary>
    public int PendingCount => _pending.Count;

    internal void Register(string requestId, string digest, DateTimeOffset expiresAt, bool singleUse)
    {
        var now = _time.GetUtcNow();
        foreach (var pair in _pending)
        {
            if (now >= pair.Value.ExpiresAt)
            {
                _pending.TryRemove(pair);
            }
        }

        _pending[requestId] = new Pending(digest, expiresAt, singleUse);
    }

    internal static ToolArguments ArgumentsOf(FunctionCallContent call)
    {
        if (call.Arguments is null)
        {
            return ToolArguments.Empty;
        }

        var element = JsonSerializer.SerializeToElement(call.Arguments, AIJsonUtilities.DefaultOptions);
        return ToolArguments.FromJson(element);
    }

    private sealed record Pending(string Digest, DateTimeOffset ExpiresAt, bool SingleUse);
}
