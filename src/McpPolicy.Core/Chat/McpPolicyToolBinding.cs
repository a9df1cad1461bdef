namespace McpPolicy;

/// <summary>Ties a chat function name to the MCP server and tool it calls, so chat-level checks use the same identity as the transport.</summary>
/// <param name="ServerId">The host-configured server id.</param>
/// <param name="Tool">The tool's definition as the server listed it.</param>
public sealed record McpPolicyToolBinding(string ServerId, ToolDescriptor Tool);
