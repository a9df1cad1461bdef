namespace McpPolicy.Gateway;

/// <summary>The exit codes every <c>mcp-policy</c> command shares.</summary>
internal static class ExitCodes
{
    /// <summary>The command did what was asked and found nothing at the failing severity.</summary>
    public const int Ok = 0;

    /// <summary>The command ran and found something at or above the failing severity (for <c>scan</c>: a High finding by default).</summary>
    public const int Findings = 1;

    /// <summary>The command line or an input file is wrong; the message on standard error says what and how to fix it.</summary>
    public const int Usage = 2;
}
