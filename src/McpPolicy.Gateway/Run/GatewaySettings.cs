using Microsoft.Extensions.Logging;

namespace McpPolicy.Gateway.Run;

/// <summary>What <c>mcp-policy run</c> was asked to do: the policy, the child server and how the gateway behaves around it.</summary>
internal sealed class GatewaySettings
{
    /// <summary>The policy file (JSON, the format of docs/policy-reference.md).</summary>
    public required string PolicyPath { get; init; }

    /// <summary>The server id the policy sees: patterns match <c>ServerId/toolName</c>.</summary>
    public string ServerId { get; init; } = "server";

    /// <summary>The catalog lock file; null runs without pinning.</summary>
    public string? LockPath { get; init; }

    /// <summary>The audit trail file (JSON Lines, hash-chained); null records decisions only to the log.</summary>
    public string? AuditPath { get; init; }

    /// <summary>The file holding the audit chain key (base64); required with <see cref="AuditPath"/>.</summary>
    public string? AuditKeyFile { get; init; }

    /// <summary>A shell command that decides HIGH calls when the upstream client cannot be asked: request JSON on stdin, exit 0 approves.</summary>
    public string? ApprovalCommand { get; init; }

    /// <summary>The longest a forwarded request may wait for the child's answer.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>The longest the child may take to complete the MCP handshake.</summary>
    public TimeSpan StartupTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The protocol revision offered to the child; null lets the SDK negotiate (2026-07-28, falling back to 2025-11-25).</summary>
    public string? ChildProtocolVersion { get; init; }

    /// <summary>The least severe log entry written to standard error.</summary>
    public LogLevel LogLevel { get; init; } = LogLevel.Information;

    /// <summary>The child's program.</summary>
    public required string Command { get; init; }

    /// <summary>The child's arguments.</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];
}
