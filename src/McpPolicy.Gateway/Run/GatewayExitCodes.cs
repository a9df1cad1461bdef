namespace McpPolicy.Gateway.Run;

/// <summary>The exit codes of <c>mcp-policy run</c>, <c>pin</c> and <c>diff</c> beyond the shared <see cref="ExitCodes"/>.</summary>
internal static class GatewayExitCodes
{
    /// <summary>The child server did not start, exited, crashed or broke the protocol; standard error says how.</summary>
    public const int ChildFailed = 3;
}
