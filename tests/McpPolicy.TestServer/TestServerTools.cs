using System.ComponentModel;
using System.Globalization;
using ModelContextProtocol.Server;

namespace McpPolicy.TestServer;

/// <summary>One tool per risk level. The class default is Medium; methods override it.</summary>
[McpServerToolType]
[ToolRisk(RiskLevel.Medium)]
internal sealed class TestServerTools
{
    [McpServerTool(Name = "echo", ReadOnly = true, Destructive = false, OpenWorld = false)]
    [ToolRisk(RiskLevel.Low)]
    [Description("Returns the message unchanged (risk Low).")]
    public static string Echo([Description("The text to return.")] string message) => message;

    // No method attribute: the class's Medium applies.
    [McpServerTool(Name = "read_note", ReadOnly = true, OpenWorld = false)]
    [Description("Reads a note by name (risk Medium, read-only).")]
    public static string ReadNote([Description("The note's name.")] string name) => $"note '{name}': remember the milk";

    [McpServerTool(Name = "send_payment", Destructive = true, OpenWorld = true)]
    [ToolRisk(RiskLevel.High)]
    [Description("Sends a payment (risk High: needs the user's approval).")]
    public static string SendPayment([Description("The payee.")] string to, [Description("The amount.")] decimal amount)
        => string.Create(CultureInfo.InvariantCulture, $"sent {amount} to {to}");

    // Rated Block by the policy file, so it is hidden from tools/list and refused on call.
    [McpServerTool(Name = "delete_everything", Destructive = true)]
    [ToolRisk(RiskLevel.High)]
    [Description("Deletes everything (blocked by policy).")]
    public static string DeleteEverything() => "deleted everything";

    // Medium by policy, Block when amount is outside 0..1000.
    [McpServerTool(Name = "transfer", Destructive = false, OpenWorld = false)]
    [Description("Transfers an amount between own accounts (Block above 1000).")]
    public static string Transfer([Description("The target account.")] string to, [Description("The amount, at most 1000.")] decimal amount)
        => string.Create(CultureInfo.InvariantCulture, $"transferred {amount} to {to}");
}
