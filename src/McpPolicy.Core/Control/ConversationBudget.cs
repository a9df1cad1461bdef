namespace McpPolicy.Control;

/// <summary>What one conversation has used of its <c>limits.perConversation</c> budgets.</summary>
internal sealed class ConversationBudget
{
    private readonly Lock _gate = new();
    private int _calls;
    private int _approvals;
    private long _sinkBytes;

    public int Calls => Volatile.Read(ref _calls);

    public int Approvals => Volatile.Read(ref _approvals);

    public long SinkBytes => Interlocked.Read(ref _sinkBytes);

    /// <summary>Charges one call against every budget at once, or nothing: returns the id of the first budget it would exceed.</summary>
    public string? TryCharge(CompiledLimits limits, bool needsApproval, long sinkBytes)
    {
        lock (_gate)
        {
            if (limits.MaxCalls is { } maxCalls && _calls >= maxCalls)
            {
                return LimitIds.MaxCalls;
            }

            if (needsApproval && limits.MaxApprovals is { } maxApprovals && _approvals >= maxApprovals)
            {
                return LimitIds.MaxApprovals;
            }

            if (sinkBytes > 0 && limits.MaxSinkBytes is { } maxBytes && _sinkBytes + sinkBytes > maxBytes)
            {
                return LimitIds.MaxSinkBytes;
            }

            _calls++;
            if (needsApproval)
            {
                _approvals++;
            }

            _sinkBytes += sinkBytes;
            return null;
        }
    }
}

/// <summary>The ids of the per-conversation budgets, as denials carry them.</summary>
internal static class LimitIds
{
    public const string MaxCalls = "limits.perConversation.maxCalls";
    public const string MaxApprovals = "limits.perConversation.maxApprovals";
    public const string MaxSinkBytes = "limits.perConversation.maxSinkBytes";
    public const string Error = "limits.error";
}
