namespace McpPolicy;

/// <summary>What the gate does with a call, derived from its final <see cref="RiskLevel"/>.</summary>
public enum PolicyOutcome
{
    /// <summary>The call proceeds (risk <see cref="RiskLevel.Low"/>).</summary>
    Allow = 0,

    /// <summary>The call proceeds and is recorded (risk <see cref="RiskLevel.Medium"/>).</summary>
    AllowAudited = 1,

    /// <summary>The call proceeds only after an approval bound to it (risk <see cref="RiskLevel.High"/>).</summary>
    RequiresApproval = 2,

    /// <summary>The call is refused (risk <see cref="RiskLevel.Block"/>).</summary>
    Deny = 3,
}
