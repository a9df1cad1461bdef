namespace McpPolicy;

/// <summary>How approvals of HIGH calls behave.</summary>
public sealed class ApprovalPolicy
{
    /// <summary>How long an approval request waits for an answer, and how long a granted approval stays valid. Default: 2 minutes.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Whether an approval can be used for one call only. Default: true.</summary>
    public bool SingleUse { get; set; } = true;
}
