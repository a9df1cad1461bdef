namespace McpPolicy;

/// <summary>The answer to an approval request for one HIGH call.</summary>
/// <param name="IsApproved">True when the call may proceed.</param>
/// <param name="Approver">Who answered (a user name, a handler id).</param>
/// <param name="Digest">The digest of the exact call the answer is bound to.</param>
/// <param name="Comment">An optional note from the approver.</param>
public sealed record ApprovalGrant(bool IsApproved, string Approver, string Digest, string? Comment = null);
