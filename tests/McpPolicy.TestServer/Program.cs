// A stdio MCP server guarded by McpPolicy, for end-to-end tests.
// Arguments (all optional): --policy <file> (default: policy.json beside the program), --server-id <id> (default: test).
// Logs go to stderr; stdout carries only MCP messages.
using McpPolicy.TestServer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

var builder = Host.CreateApplicationBuilder(args);
builder.Logging.ClearProviders();
builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);

var policyPath = builder.Configuration["policy"] ?? Path.Combine(AppContext.BaseDirectory, "policy.json");
var serverId = builder.Configuration["server-id"] ?? "test";

builder.Services.AddMcpPolicy(policyPath).AddElicitationApprovals();
builder.Services
    .AddMcpServer(o => o.ServerInfo = new() { Name = "mcppolicy-test-server", Version = "0.1.0" })
    .WithStdioServerTransport()
    .WithTools<TestServerTools>()
    .WithPolicy(o => o.ServerId = serverId);

await builder.Build().RunAsync().ConfigureAwait(false);
