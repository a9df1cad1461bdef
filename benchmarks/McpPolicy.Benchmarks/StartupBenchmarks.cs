using System.Text.Json;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using McpPolicy.Schemas;

namespace McpPolicy.Benchmarks;

/// <summary>
/// Start-up cost of a host with 100 tools: compiling the input schemas of a 100-tool catalog. The schemas are the AgentDojo
/// tool catalogs (../shared/eval/agentdojo/*/tools.json next to the repository root: banking, slack, travel, workspace, 74
/// tools) given a pydantic-style root <c>title</c> naming the tool, then the same schemas again with
/// <c>additionalProperties: false</c> (a strict model) until there are 100, each distinct by content. Every invocation uses a
/// new <see cref="SchemaRegistry"/>, so its content-hash cache never answers. There is no public path that compiles a whole
/// catalog at once (<see cref="ToolCatalog.SetTools"/> only stores descriptors; the schema validation step compiles each tool's
/// schema through the registry on its first call), so this times <see cref="SchemaRegistry.GetValidator(JsonElement)"/> per tool.
/// </summary>
[MemoryDiagnoser]
public class StartupBenchmarks
{
    /// <summary>The number of tools in the catalog.</summary>
    public const int Tools = 100;

    private JsonElement[] _schemas = null!;

    [GlobalSetup]
    public void Setup()
    {
        _schemas = AgentDojoCatalog.DistinctInputSchemas(Tools);
        var registry = new SchemaRegistry();
        foreach (var schema in _schemas)
        {
            _ = registry.GetValidator(schema);
        }
    }

    /// <summary>Compiles the 100 input schemas with a fresh registry.</summary>
    [Benchmark]
    public int CompileCatalog100()
    {
        var registry = new SchemaRegistry();
        var compiled = 0;
        foreach (var schema in _schemas)
        {
            if (registry.GetValidator(schema) is not null)
            {
                compiled++;
            }
        }

        return compiled;
    }
}

/// <summary>Reads the AgentDojo tool catalogs kept next to the repository (../shared/eval/agentdojo, see its README).</summary>
internal static class AgentDojoCatalog
{
    private static readonly string[] Suites = ["banking", "slack", "travel", "workspace"];

    /// <summary>
    /// <paramref name="count"/> distinct input schemas: each tool's schema with a root <c>title</c> (<c>suite.tool Arguments</c>),
    /// then, for a second round, with <c>additionalProperties: false</c> and the title suffixed <c>(strict)</c>.
    /// </summary>
    public static JsonElement[] DistinctInputSchemas(int count)
    {
        var folder = Path.Combine(RepositoryRoot(), "..", "shared", "eval", "agentdojo");
        var tools = new List<(string Name, JsonObject Schema)>();
        foreach (var suite in Suites)
        {
            var path = Path.Combine(folder, suite, "tools.json");
            if (!File.Exists(path))
            {
                throw new InvalidOperationException($"The AgentDojo catalog {path} is missing: expected ../shared/eval/agentdojo next to the repository root.");
            }

            foreach (var tool in JsonNode.Parse(File.ReadAllBytes(path))!.AsArray())
            {
                tools.Add((suite + "." + (string)tool!["name"]!, tool["inputSchema"]!.AsObject()));
            }
        }

        var schemas = new List<JsonElement>(count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var round = 0; schemas.Count < count; round++)
        {
            if (round > 1)
            {
                throw new InvalidOperationException($"only {schemas.Count} distinct schemas could be made from the AgentDojo catalogs");
            }

            foreach (var (name, original) in tools)
            {
                if (schemas.Count == count)
                {
                    break;
                }

                var schema = original.DeepClone().AsObject();
                schema["title"] = name + " Arguments" + (round == 1 ? " (strict)" : "");
                if (round == 1)
                {
                    schema["additionalProperties"] = false;
                }

                var text = schema.ToJsonString();
                if (seen.Add(text))
                {
                    using var doc = JsonDocument.Parse(text);
                    schemas.Add(doc.RootElement.Clone());
                }
            }
        }

        return schemas.ToArray();
    }

    /// <summary>The folder holding McpPolicy.sln, found upwards from the program's folder or the current folder.</summary>
    public static string RepositoryRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "McpPolicy.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException("McpPolicy.sln not found above the program's folder or the current folder: run from inside the repository.");
    }
}
