namespace McpPolicy.Chains;

/// <summary>A call that ran in a conversation, as flow reasons name it: its position, tool and JSON-RPC request id.</summary>
/// <param name="Sequence">The call's position among the conversation's calls that ran, from 1.</param>
/// <param name="QualifiedName">The server-qualified tool name, <c>serverId/toolName</c>.</param>
/// <param name="RequestId">The JSON-RPC request id, when known.</param>
public readonly record struct FlowCall(long Sequence, string QualifiedName, string? RequestId)
{
    /// <inheritdoc />
    public override string ToString() => RequestId is null ? $"call #{Sequence} {QualifiedName}" : $"call #{Sequence} {QualifiedName} (request {RequestId})";
}
