using System.ComponentModel;
using McpPolicy;
using ModelContextProtocol.Server;

namespace McpPolicy.Core.Tests.Server;

/// <summary>Tools for the server tests. The class declares High; methods override it.</summary>
[McpServerToolType]
[ToolRisk(RiskLevel.High)]
public sealed class RiskRatedTools
{
    public const string SecretInException = "connection string Password=hunter2 at /srv/secret";

    [McpServerTool(Name = "low"), ToolRisk(RiskLevel.Low), Description("Low risk.")]
    public static string Low(string text) => "low:" + text;

    [McpServerTool(Name = "medium"), ToolRisk(RiskLevel.Medium), Description("Medium risk.")]
    public static string Medium(string text) => "medium:" + text;

    [McpServerTool(Name = "high_from_class"), Description("No method attribute: the class's High applies.")]
    public static string HighFromClass() => "ran high_from_class";

    [McpServerTool(Name = "declared_block"), ToolRisk(RiskLevel.Block), Description("Blocked by its author.")]
    public static string DeclaredBlock() => "ran declared_block";

    [McpServerTool(Name = "wipe"), ToolRisk(RiskLevel.Low), Description("Low by attribute, Block by the test policy.")]
    public static string Wipe() => "ran wipe";

    [McpServerTool(Name = "transfer"), ToolRisk(RiskLevel.Low), Description("Block above 1000 by the test policy.")]
    public static string Transfer(decimal amount) => "transferred " + amount.ToString(System.Globalization.CultureInfo.InvariantCulture);

    [McpServerTool(Name = "throws"), ToolRisk(RiskLevel.Low), Description("Fails with a message that must not leak.")]
    public static string Throws() => throw new InvalidOperationException(SecretInException);
}
