// Security teams write rules as small C# classes and register them next to a declarative policy file.
// This sample evaluates a handful of calls with no MCP traffic at all: IPolicyEvaluator works on its own.
using CustomRules;
using McpPolicy;
using Microsoft.Extensions.DependencyInjection;

var services = new ServiceCollection();
services.AddLogging();
services.AddMcpPolicy(Path.Combine(AppContext.BaseDirectory, "policy.json"))
    .AddRule<NoSecretsInArgumentsRule>()
    .AddRule<BulkEmailRule>()
    .AddRule<BrokenRule>();

await using var provider = services.BuildServiceProvider();
var evaluator = provider.GetRequiredService<IPolicyEvaluator>();

ToolDescriptor Tool(string name, bool readOnly = false) => new(name) { Hints = new ToolHints(readOnly, !readOnly, null, false) };

(string Server, ToolDescriptor Tool, string Args)[] calls =
[
    ("mail", Tool("read_inbox", readOnly: true), """{"folder":"INBOX"}"""),
    ("mail", Tool("send_email"), """{"to":"ann@example.com","body":"lunch?"}"""),
    ("mail", Tool("send_email"), """{"to":"attacker@evil.test","body":"the report"}"""),
    ("mail", Tool("send_email"), """{"to":"team@example.com","cc":["1","2","3","4","5","6","7","8","9","10"],"body":"hi"}"""),
    ("mail", Tool("send_email"), """{"to":"ann@example.com","body":"-----BEGIN RSA PRIVATE KEY----- ..."}"""),
    ("shell", Tool("ls"), """{"path":"."}"""),
    ("shell", Tool("rm"), """{"path":"/"}"""),
];

Console.WriteLine($"policy version {evaluator.PolicyVersion[..12]}");
foreach (var (server, tool, json) in calls)
{
    var decision = evaluator.Evaluate(new ToolInvocationContext(server, tool.Name, ToolArguments.Parse(json), tool));
    Console.WriteLine($"{server}/{tool.Name,-12} {decision.Risk,-6} {decision.Outcome,-16} {decision.DecisiveReason.Id}: {decision.DecisiveReason.Message}");
}
