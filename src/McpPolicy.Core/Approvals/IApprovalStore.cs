namespace McpPolicy;

/// <summary>
/// Holds approvals granted ahead of a call (for example through a chat flow), keyed by call digest. A grant matches only
/// the exact call it was made for, lapses at its expiry, and is consumed on use when single-use.
/// </summary>
public interface IApprovalStore
{
    /// <summary>Records a grant for the call with <paramref name="digest"/>.</summary>
    /// <param name="digest">The call digest from the <see cref="ApprovalRequest"/>.</param>
    /// <param name="grant">Who approved.</param>
    /// <param name="expiresAt">When the grant lapses.</param>
    /// <param name="singleUse">Whether the first use consumes it.</param>
    void Grant(string digest, ApprovalGrant grant, DateTimeOffset expiresAt, bool singleUse);

    /// <summary>Takes a valid grant for <paramref name="digest"/>, consuming it when single-use.</summary>
    /// <param name="digest">The call digest.</param>
    /// <param name="now">The current time.</param>
    /// <param name="grant">The grant when found and valid.</param>
    /// <returns>True when a valid grant was found.</returns>
    bool TryConsume(string digest, DateTimeOffset now, out ApprovalGrant? grant);
}
