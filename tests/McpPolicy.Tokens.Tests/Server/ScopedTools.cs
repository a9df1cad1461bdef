using System.ComponentModel;
using ModelContextProtocol.Server;

namespace McpPolicy.Tokens.Tests.Server;

/// <summary>Tools for the end-to-end scope tests: one open, one needing files:write by attribute, one needing admin by policy.</summary>
[McpServerToolType]
[ToolRisk(RiskLevel.Low)]
public sealed class ScopedTools
{
    [McpServerTool(Name = "read"), Description("Needs no scope.")]
    public static string Read(string path) => "read:" + path;

    [McpServerTool(Name = "write"), RequireScope("files:write"), Description("Needs files:write by attribute.")]
    public static string Write(string path) => "wrote:" + path;

    [McpServerTool(Name = "admin_reset"), Description("Needs admin by the test policy.")]
    public static string AdminReset() => "reset";

    [McpServerTool(Name = "whoami"), Description("Echoes the principal the tool sees.")]
    public static string WhoAmI(System.Security.Claims.ClaimsPrincipal? user) => user?.FindFirst(TokenClaimTypes.Subject)?.Value ?? "(nobody)";
}

/// <summary>A class-level scope that the method attribute replaces.</summary>
[McpServerToolType]
[ToolRisk(RiskLevel.Low)]
[RequireScope("reports:read")]
public sealed class ReportTools
{
    [McpServerTool(Name = "report"), Description("Needs reports:read from the class.")]
    public static string Report() => "report";

    [McpServerTool(Name = "publish_report"), RequireScope("reports:publish"), Description("Needs reports:publish only.")]
    public static string Publish() => "published";
}
