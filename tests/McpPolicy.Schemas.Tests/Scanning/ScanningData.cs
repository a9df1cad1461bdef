using System.Text.Json;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Schemas.Tests.Scanning;

/// <summary>One poisoned definition (or poisoned catalog) of the corpus in Scanning/corpus and the findings it must produce.</summary>
public sealed record CorpusEntry(string Id, string Attack, IReadOnlyList<string> Expect, JsonElement? Tool, IReadOnlyList<KeyValuePair<string, IReadOnlyList<JsonElement>>>? Servers, string? Target)
{
    public override string ToString() => Id;
}

/// <summary>Finds and loads the scanning corpus, the AgentDojo catalogs and the live npm reference servers' tools.</summary>
internal static class ScanningData
{
    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "McpPolicy.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("McpPolicy.sln was not found above the test assembly.");
    }

    public static string CorpusFolder() => Path.Combine(RepositoryRoot(), "tests", "McpPolicy.Schemas.Tests", "Scanning", "corpus");

    /// <summary>Every entry of poisoned.json (single tools) and shadowing.json (catalogs).</summary>
    public static IReadOnlyList<CorpusEntry> Corpus()
    {
        var entries = new List<CorpusEntry>();
        using (var tools = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(CorpusFolder(), "poisoned.json"))))
        {
            foreach (var e in tools.RootElement.EnumerateArray())
            {
                entries.Add(new CorpusEntry(e.GetProperty("id").GetString()!, e.GetProperty("attack").GetString()!, Expect(e), e.GetProperty("tool").Clone(), null, null));
            }
        }

        using (var catalogs = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(CorpusFolder(), "shadowing.json"))))
        {
            foreach (var e in catalogs.RootElement.EnumerateArray())
            {
                var servers = e.GetProperty("servers").EnumerateObject()
                    .Select(s => new KeyValuePair<string, IReadOnlyList<JsonElement>>(s.Name, s.Value.EnumerateArray().Select(t => t.Clone()).ToArray()))
                    .ToList();
                entries.Add(new CorpusEntry(e.GetProperty("id").GetString()!, e.GetProperty("attack").GetString()!, Expect(e), null, servers, e.GetProperty("target").GetString()));
            }
        }

        return entries;
    }

    public static TheoryData<string> CorpusIds()
    {
        var data = new TheoryData<string>();
        foreach (var entry in Corpus())
        {
            data.Add(entry.Id);
        }

        return data;
    }

    /// <summary>The findings that count for an entry: a single tool's, or in a catalog, the target tool's.</summary>
    public static IReadOnlyList<DefinitionFinding> Scan(ToolDefinitionScanner scanner, CorpusEntry entry)
    {
        if (entry.Tool is { } tool)
        {
            return scanner.Scan(tool).Findings;
        }

        var slash = entry.Target!.IndexOf('/', StringComparison.Ordinal);
        var server = entry.Target[..slash];
        var name = entry.Target[(slash + 1)..];
        return scanner.ScanCatalog(entry.Servers!).Findings.Where(f => f.ServerId == server && f.ToolName == name).ToList();
    }

    /// <summary>The four AgentDojo catalogs in ../shared/eval/agentdojo/*/tools.json (relative to the repository root), by suite.</summary>
    public static IReadOnlyList<(string Suite, JsonElement[] Tools)> AgentDojoCatalogs()
    {
        var folder = Path.GetFullPath(Path.Combine(RepositoryRoot(), "..", "shared", "eval", "agentdojo"));
        Assert.True(Directory.Exists(folder), "The AgentDojo catalogs are missing: expected ../shared/eval/agentdojo next to the repository root.");
        var catalogs = new List<(string, JsonElement[])>();
        foreach (var suite in new[] { "banking", "slack", "travel", "workspace" })
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, suite, "tools.json")));
            catalogs.Add((suite, document.RootElement.EnumerateArray().Select(t => t.Clone()).ToArray()));
        }

        return catalogs;
    }

    /// <summary>Starts the npm reference servers from tests/peers over stdio and lists their tools with the C# MCP client.</summary>
    public static async Task<IReadOnlyList<KeyValuePair<string, IReadOnlyList<Tool>>>> ListNpmServerToolsAsync()
    {
        var modules = Path.Combine(RepositoryRoot(), "tests", "peers", "node_modules", "@modelcontextprotocol");
        var filesystem = Path.Combine(modules, "server-filesystem", "dist", "index.js");
        var everything = Path.Combine(modules, "server-everything", "dist", "index.js");
        Assert.True(File.Exists(filesystem) && File.Exists(everything), "The npm test peers are not installed: run `npm ci --prefix tests/peers` (test.sh does this).");

        var root = Directory.CreateTempSubdirectory("mcppolicy-scan-");
        try
        {
            return
            [
                new("filesystem", await ListAsync("filesystem", [filesystem, root.FullName])),
                new("everything", await ListAsync("everything", [everything, "stdio"])),
            ];
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    private static async Task<IReadOnlyList<Tool>> ListAsync(string name, string[] arguments)
    {
        var transport = new StdioClientTransport(new StdioClientTransportOptions { Name = name, Command = "node", Arguments = arguments });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await using var client = await McpClient.CreateAsync(transport, new McpClientOptions { ProtocolVersion = "2025-11-25" }, cancellationToken: timeout.Token);
        var tools = await client.ListToolsAsync(cancellationToken: timeout.Token);
        return tools.Select(t => t.ProtocolTool).ToList();
    }

    private static string[] Expect(JsonElement entry) => entry.GetProperty("expect").EnumerateArray().Select(x => x.GetString()!).ToArray();
}
