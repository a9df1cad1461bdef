namespace McpPolicy;

/// <summary>
/// Asks a human whether a HIGH call may proceed. Implementations: a console prompt, MCP elicitation, a chat-flow approval.
/// A handler that throws, times out or is missing means the call is denied.
/// </summary>
public interface IApprovalHandler
{
    /// <summary>Asks for an approval of exactly the call described by <paramref name="request"/>.</summary>
    /// <param name="request">The call, its risk, the reasons and a readable preview of its arguments.</param>
    /// <param name="cancellationToken">Cancelled when the approval timeout expires or the call is abandoned.</param>
    /// <returns>The answer, with the approver's identity.</returns>
    ValueTask<ApprovalResponse> RequestApprovalAsync(ApprovalRequest request, CancellationToken cancellationToken);
}
