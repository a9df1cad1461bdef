// A server author's view of McpPolicy: an ordinary MCP server over stdio, plus WithPolicy() and [ToolRisk] attributes.
// The policy comes from the "McpPolicy" section of appsettings.json; HIGH calls ask the user through MCP elicitation.
// Run it under any MCP client, e.g.: dotnet run --project samples/PolicyServer   (it speaks MCP on stdin/stdout).
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PolicyServer;

var builder = Host.CreateApplicationBuilder(args);
builder.Configuration.AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: false);
builder.Logging.ClearProviders();
builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace); // stdout is for MCP messages only

builder.Services.AddMcpPolicy(builder.Configuration.GetSection("McpPolicy"))
    .AddElicitationApprovals();

builder.Services.AddMcpServer(o => o.ServerInfo = new() { Name = "notes", Version = "1.0.0" })
    .WithStdioServerTransport()
    .WithTools<NoteTools>()
    .WithPolicy(o => o.ServerId = "notes");

await builder.Build().RunAsync();
