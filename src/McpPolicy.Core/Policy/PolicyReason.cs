namespace McpPolicy;

/// <summary>One contribution to a decision: which part of the policy set or raised the risk, and why.</summary>
/// <param name="Id">Stable identifier of the contribution, such as <c>tools[2]</c>, <c>large-transfer</c> or <c>annotation:destructive</c>.</param>
/// <param name="Message">A short human-readable explanation, safe to show to a model or a user.</param>
/// <param name="Risk">The risk this contribution asked for.</param>
public sealed record PolicyReason(string Id, string Message, RiskLevel Risk)
{
    /// <inheritdoc />
    public override string ToString() => $"{Id} ({Risk}): {Message}";
}
