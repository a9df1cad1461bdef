namespace McpPolicy;

/// <summary>An approver's answer.</summary>
/// <param name="IsApproved">True to let the call proceed.</param>
/// <param name="Approver">Who answered: a user id or name, or a handler id for automated answers.</param>
/// <param name="Comment">An optional note (recorded, never shown to the model on approval).</param>
public sealed record ApprovalResponse(bool IsApproved, string Approver, string? Comment = null)
{
    /// <summary>An approval by <paramref name="approver"/>.</summary>
    /// <param name="approver">Who approved.</param>
    /// <param name="comment">An optional note.</param>
    /// <returns>The response.</returns>
    public static ApprovalResponse Approve(string approver, string? comment = null) => new(true, approver, comment);

    /// <summary>A refusal by <paramref name="approver"/>.</summary>
    /// <param name="approver">Who refused.</param>
    /// <param name="comment">An optional reason.</param>
    /// <returns>The response.</returns>
    public static ApprovalResponse Deny(string approver, string? comment = null) => new(false, approver, comment);
}
