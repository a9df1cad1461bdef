namespace McpPolicy;

/// <summary>
/// Thrown by a filter or invoker to end a call with a protocol error (for example an unknown tool) instead of a tool result.
/// The pipeline lets it propagate so the MCP integration can turn it into a JSON-RPC error.
/// </summary>
public sealed class McpPolicyToolException : Exception
{
    /// <summary>Creates the exception.</summary>
    public McpPolicyToolException()
    {
    }

    /// <summary>Creates the exception with a message safe to send to the client.</summary>
    /// <param name="message">The message.</param>
    public McpPolicyToolException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public McpPolicyToolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
