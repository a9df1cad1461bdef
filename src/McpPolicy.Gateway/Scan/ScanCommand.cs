using System.CommandLine;
using McpPolicy.Schemas;

namespace McpPolicy.Gateway.Scan;

/// <summary>
/// <c>mcp-policy scan FILE [--json] [--fail-on SEVERITY] [--server-id ID]</c>: scans MCP tool definitions for hidden text, instructions to
/// the model, secret references, exfiltration-shaped parameters and shadowing; exits 1 when a finding is at or above the failing severity.
/// </summary>
internal static class ScanCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("FILE")
        {
            Description = "JSON file with the tools: " + CatalogFile.Shapes + ".",
        };
        var json = new Option<bool>("--json")
        {
            Description = "Write the findings as one JSON object instead of text.",
        };
        var failOn = new Option<FindingSeverity>("--fail-on")
        {
            Description = "Exit with 1 when a finding is at or above this severity (Low, Medium, High, Critical).",
            DefaultValueFactory = _ => FindingSeverity.High,
        };
        var serverId = new Option<string>("--server-id")
        {
            Description = "The server id to report tools under when FILE does not name servers.",
            DefaultValueFactory = _ => "server",
        };

        var command = new Command("scan", "Scan MCP tool definitions for poisoning (hidden text, instructions to the model, secret references, exfiltration parameters) and shadowing.")
        {
            file,
            json,
            failOn,
            serverId,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var id = parse.GetValue(serverId)!;
            if (id.Length == 0 || id.Contains('/', StringComparison.Ordinal))
            {
                throw new UsageException("--server-id must be non-empty and must not contain '/'.");
            }

            var path = parse.GetValue(file)!.FullName;
            var (document, servers) = CatalogFile.Load(path, id);
            using (document)
            {
                var result = new ToolDefinitionScanner().ScanCatalog(servers);
                if (parse.GetValue(json))
                {
                    await FindingWriter.WriteJsonAsync(output, result, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await FindingWriter.WriteTextAsync(output, result).ConfigureAwait(false);
                }

                return result.HasFindingsAtOrAbove(parse.GetValue(failOn)) ? ExitCodes.Findings : ExitCodes.Ok;
            }
        });
        return command;
    }
}
