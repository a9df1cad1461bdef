using System.Reflection;
using System.Text.Json;
using McpPolicy.Configuration;
using Microsoft.Extensions.Configuration;

namespace McpPolicy.Core.Tests.Configuration;

/// <summary>
/// Keeps docs/policy.schema.json in step with the policy reader: every key the reader accepts is a property of the
/// schema, the schema names nothing the reader rejects, and the repository's own policy files load.
/// </summary>
public sealed class PolicySchemaFileTests
{
    /// <summary>Keys the reader knows but rejects as not supported yet; the schema must not offer them.</summary>
    private static readonly string[] NotYetSupported = [];

    /// <summary>Each key array of <see cref="PolicyReader"/> and the schema object (a JSON Pointer) that must list its keys.</summary>
    public static TheoryData<string, string> KeySets => new()
    {
        { "RootKeys", "" },
        { "DefaultsKeys", "/$defs/defaults" },
        { "ServerKeys", "/$defs/server" },
        { "ToolKeys", "/$defs/tool" },
        { "RuleKeys", "/$defs/rule" },
        { "ApprovalKeys", "/$defs/approval" },
        { "ConditionKeys", "/$defs/condition" },
        { "ChainKeys", "/$defs/chain" },
        { "ChainStepKeys", "/$defs/chainStep" },
        { "WithinKeys", "/$defs/within" },
        { "FlowsKeys", "/$defs/flows" },
        { "TaintKeys", "/$defs/taint" },
        { "LimitsKeys", "/$defs/limits" },
        { "ToolLimitKeys", "/$defs/toolLimit" },
        { "ConversationLimitKeys", "/$defs/conversationLimits" },
        { "KillSwitchKeys", "/$defs/killSwitchEntry" },
    };

    [Fact]
    public void Schema_file_is_a_json_schema_2020_12_document()
    {
        using var schema = LoadSchema();

        Assert.Equal(JsonValueKind.Object, schema.RootElement.ValueKind);
        Assert.Equal("https://json-schema.org/draft/2020-12/schema", schema.RootElement.GetProperty("$schema").GetString());
    }

    [Theory]
    [MemberData(nameof(KeySets))]
    public void Every_key_the_reader_accepts_is_a_property_of_the_schema(string readerField, string schemaPointer)
    {
        using var schema = LoadSchema();
        var properties = PropertiesAt(schema.RootElement, schemaPointer);

        var missing = SupportedKeys(readerField).Where(k => !properties.Contains(k)).ToList();

        Assert.True(missing.Count == 0, $"{schemaPointer} in docs/policy.schema.json lacks the reader's {readerField}: {string.Join(", ", missing)}");
    }

    [Theory]
    [MemberData(nameof(KeySets))]
    public void Schema_offers_no_key_the_reader_rejects(string readerField, string schemaPointer)
    {
        using var schema = LoadSchema();
        var node = At(schema.RootElement, schemaPointer);
        var supported = SupportedKeys(readerField).ToHashSet(StringComparer.Ordinal);

        var extra = PropertiesAt(schema.RootElement, schemaPointer).Where(k => !supported.Contains(k)).ToList();

        Assert.True(extra.Count == 0, $"{schemaPointer} in docs/policy.schema.json offers keys the reader rejects: {string.Join(", ", extra)}");
        Assert.True(
            node.TryGetProperty("additionalProperties", out var additional) && additional.ValueKind == JsonValueKind.False,
            $"{schemaPointer} must set additionalProperties to false, since the reader rejects unknown keys there");
    }

    [Fact]
    public void Repository_policy_files_load_and_compile()
    {
        var root = RepositoryRoot();
        var files = Directory.GetDirectories(Path.Combine(root, "samples"))
            .Select(d => Path.Combine(d, "policy.json"))
            .Where(File.Exists)
            .Append(Path.Combine(root, "tests", "McpPolicy.TestServer", "policy.json"))
            .Order(StringComparer.Ordinal)
            .ToList();
        var failures = new List<string>();

        foreach (var file in files)
        {
            Check(failures, Path.GetRelativePath(root, file), () => PolicyLoader.FromFile(file));
        }

        var appsettings = Path.Combine(root, "samples", "PolicyServer", "appsettings.json");
        Check(failures, Path.GetRelativePath(root, appsettings) + " (McpPolicy section)", () =>
        {
            var configuration = new ConfigurationBuilder().AddJsonFile(appsettings, optional: false).Build();
            var section = configuration.GetSection("McpPolicy");
            Assert.True(section.Exists(), "the McpPolicy section is missing");
            return PolicyLoader.FromConfiguration(section);
        });

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        Assert.True(files.Count >= 4, $"expected the policy files of at least three samples and the test server, found {files.Count}");
    }

    private static void Check(List<string> failures, string name, Func<McpPolicyOptions> load)
    {
        try
        {
            var options = load();
            _ = new PolicyEvaluator(options);
        }
        catch (Exception ex) when (ex is PolicyValidationException or IOException or InvalidDataException or Xunit.Sdk.XunitException)
        {
            failures.Add($"{name}: {ex.Message}");
        }
    }

    private static IEnumerable<string> SupportedKeys(string readerField)
    {
        var field = typeof(PolicyReader).GetField(readerField, BindingFlags.NonPublic | BindingFlags.Static);
        Assert.NotNull(field);
        var keys = Assert.IsType<string[]>(field.GetValue(null));
        Assert.NotEmpty(keys);
        return keys.Where(k => !NotYetSupported.Contains(k, StringComparer.Ordinal));
    }

    private static HashSet<string> PropertiesAt(JsonElement root, string pointer)
    {
        var node = At(root, pointer);
        Assert.True(node.TryGetProperty("properties", out var properties), $"{pointer} in docs/policy.schema.json has no 'properties'");
        return properties.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
    }

    private static JsonElement At(JsonElement root, string pointer)
    {
        var node = root;
        foreach (var segment in pointer.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            Assert.True(node.TryGetProperty(segment, out node), $"docs/policy.schema.json has no {pointer}");
        }

        return node;
    }

    private static JsonDocument LoadSchema()
        => JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "policy.schema.json")));

    private static string RepositoryRoot()
    {
        var start = AppContext.BaseDirectory;
        var directory = new DirectoryInfo(start);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "McpPolicy.sln")))
        {
            directory = directory.Parent;
        }

        Assert.True(directory is not null, $"The repository root (with McpPolicy.sln) was not found above {start}.");
        return directory!.FullName;
    }
}
