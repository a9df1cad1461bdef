namespace McpPolicy.Schemas;

/// <summary>How serious a finding in a tool definition is. Each severity maps to the <see cref="RiskLevel"/> of the same rank.</summary>
public enum FindingSeverity
{
    /// <summary>Worth a look; maps to <see cref="RiskLevel.Low"/>.</summary>
    Low = 0,

    /// <summary>Suspicious on its own, common in poisoned definitions; maps to <see cref="RiskLevel.Medium"/> (the call is audited).</summary>
    Medium = 1,

    /// <summary>Rarely innocent: hidden text, instructions to the model, secret files, shadowing; maps to <see cref="RiskLevel.High"/> (a human approves).</summary>
    High = 2,

    /// <summary>Has no innocent use (for example Unicode tag characters smuggling text); maps to <see cref="RiskLevel.Block"/>.</summary>
    Critical = 3,
}
