using System.ComponentModel;
using System.Globalization;
using McpPolicy;
using ModelContextProtocol.Server;

namespace Quickstart;

/// <summary>The demo's MCP server tools. Risk comes from policy.json; attributes give the author's rating where the policy is silent.</summary>
[McpServerToolType]
public sealed class BankTools
{
    [McpServerTool(Name = "get_balance", ReadOnly = true), Description("Returns the account balance.")]
    public static string GetBalance() => "balance: 4,210.00 EUR";

    [McpServerTool(Name = "list_transactions", ReadOnly = true), Description("Lists recent transactions.")]
    public static string ListTransactions() => "3 transactions";

    [McpServerTool(Name = "send_money"), Description("Sends money to a recipient.")]
    public static string SendMoney(string to, decimal amount) => string.Create(CultureInfo.InvariantCulture, $"sent {amount} EUR to {to}");

    [McpServerTool(Name = "export_statements"), Description("Exports statements to a URL.")]
    public static string ExportStatements(string destination) => "exported to " + destination;

    [McpServerTool(Name = "close_account", Destructive = true), ToolRisk(RiskLevel.High), Description("Closes the account.")]
    public static string CloseAccount() => "closed";
}
