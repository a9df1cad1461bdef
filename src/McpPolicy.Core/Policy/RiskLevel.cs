namespace McpPolicy;

/// <summary>The risk the policy assigns to a tool call, ordered from least to most severe.</summary>
public enum RiskLevel
{
    /// <summary>Allowed without further ceremony.</summary>
    Low = 0,

    /// <summary>Allowed and recorded in the audit trail.</summary>
    Medium = 1,

    /// <summary>Allowed only with a human approval bound to the exact call.</summary>
    High = 2,

    /// <summary>Denied.</summary>
    Block = 3,
}
