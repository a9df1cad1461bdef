namespace McpPolicy;

/// <summary>The approval an audited call carried.</summary>
/// <param name="Approver">Who approved (a user name, a handler id).</param>
/// <param name="Time">When the audit step saw the approval (the approval's own time is not carried by <see cref="ApprovalGrant"/>).</param>
/// <param name="Digest">The approval digest the grant is bound to (see <see cref="ApprovalDigest"/>).</param>
/// <param name="IsApproved">False when the grant said no.</param>
public sealed record AuditApproval(string Approver, DateTimeOffset Time, string Digest, bool IsApproved);
