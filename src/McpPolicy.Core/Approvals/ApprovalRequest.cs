using System.Security.Claims;

namespace McpPolicy;

/// <summary>What an approver is asked about: one exact call.</summary>
public sealed class ApprovalRequest
{
    /// <summary>Creates a request.</summary>
    /// <param name="serverId">The host-configured server id.</param>
    /// <param name="toolName">The tool.</param>
    /// <param name="decision">The decision that asks for approval.</param>
    /// <param name="argumentsPreview">A readable, size-limited rendering of the arguments.</param>
    /// <param name="digest">The digest the approval will be bound to.</param>
    /// <param name="expiresAt">When an unanswered request, or a granted approval, lapses.</param>
    public ApprovalRequest(string serverId, string toolName, PolicyDecision decision, string argumentsPreview, string digest, DateTimeOffset expiresAt)
    {
        ServerId = serverId;
        ToolName = toolName;
        Decision = decision;
        ArgumentsPreview = argumentsPreview;
        Digest = digest;
        ExpiresAt = expiresAt;
    }

    /// <summary>The host-configured server id.</summary>
    public string ServerId { get; }

    /// <summary>The tool's name.</summary>
    public string ToolName { get; }

    /// <summary>The server-qualified name <c>serverId/toolName</c>.</summary>
    public string QualifiedName => ServerId + "/" + ToolName;

    /// <summary>The decision that asks for approval (risk and every reason).</summary>
    public PolicyDecision Decision { get; }

    /// <summary>The risk of the call.</summary>
    public RiskLevel Risk => Decision.Risk;

    /// <summary>The reasons the call needs approval.</summary>
    public IReadOnlyList<PolicyReason> Reasons => Decision.Reasons;

    /// <summary>A readable, size-limited rendering of the arguments (canonical JSON, long strings shortened).</summary>
    public string ArgumentsPreview { get; }

    /// <summary>The digest of (server id, tool, canonical arguments, tool definition hash, policy version) the approval is bound to.</summary>
    public string Digest { get; }

    /// <summary>When the request, or an approval granted for it, lapses.</summary>
    public DateTimeOffset ExpiresAt { get; }

    /// <summary>The conversation the call belongs to, when known.</summary>
    public string? ConversationId { get; init; }

    /// <summary>The call being approved, so integration-specific handlers (such as MCP elicitation) can reach their transport through <see cref="ToolInvocationContext.Items"/>.</summary>
    public ToolInvocationContext? Invocation { get; init; }

    /// <summary>The caller, when known.</summary>
    public ClaimsPrincipal? Principal { get; init; }
}
