namespace McpPolicy.Chains;

/// <summary>One tool call in a conversation's history: which tool, the risk the policy assigned, and when it was recorded.</summary>
/// <param name="QualifiedName">The server-qualified tool name, <c>serverId/toolName</c>.</param>
/// <param name="Risk">The final risk of the call's decision; <see cref="RiskLevel.Block"/> when no decision was made.</param>
/// <param name="Timestamp">When the call was recorded, from the host's <see cref="TimeProvider"/>.</param>
public readonly record struct ConversationEvent(string QualifiedName, RiskLevel Risk, DateTimeOffset Timestamp);
