using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace McpPolicy.Core.Tests.Configuration;

/// <summary>The <c>tools[].schema</c> key: read strictly, compiled through the registered hook, versioned, resolved per name.</summary>
public sealed class SchemaOverlayPolicyTests
{
    private sealed class AcceptAll : ISchemaOverlayCompiler
    {
        public List<string> Compiled { get; } = [];

        public void Compile(JsonElement schema) => Compiled.Add(schema.GetRawText());
    }

    private sealed class RejectAll : ISchemaOverlayCompiler
    {
        public void Compile(JsonElement schema) => throw new ArgumentException("maxLength must be a non-negative integer (at #/maxLength)");
    }

    private const string Policy = """
        { "tools": [
            { "match": "fs/*", "risk": "Low", "schema": { "additionalProperties": false, "properties": { "path": true } } },
            { "match": "*/read_*", "risk": "Low" },
            { "match": "fs/read_file", "risk": "Low", "schema": { "properties": { "path": { "maxLength": 64 } } } }
        ] }
        """;

    [Fact]
    public void A_schema_is_read_as_written_and_compiled_through_the_hook()
    {
        var compiler = new AcceptAll();
        var evaluator = new PolicyEvaluator(PolicyLoader.FromJson(Policy), schemaOverlays: compiler);

        Assert.Equal(2, compiler.Compiled.Count);
        var overlays = evaluator.GetSchemaOverlays("fs", "read_file");
        Assert.Equal(["tools[0].schema", "tools[2].schema"], overlays.Select(o => o.RuleId));
        Assert.Equal(64, overlays[1].Schema.GetProperty("properties").GetProperty("path").GetProperty("maxLength").GetInt32());
        Assert.Same(overlays, evaluator.GetSchemaOverlays("fs", "read_file"));
        Assert.Empty(evaluator.GetSchemaOverlays("web", "read_page"));
    }

    [Theory]
    [InlineData("fs", "read_file")]
    [InlineData("fs", "write_file")]
    [InlineData("web", "read_page")]
    [InlineData("fs", "")]
    public void Indexed_and_linear_plans_agree_on_overlays(string server, string tool)
    {
        var evaluator = new PolicyEvaluator(PolicyLoader.FromJson(Policy), schemaOverlays: new AcceptAll());

        Assert.Equal(evaluator.GetSchemaOverlaysLinear(server, tool), evaluator.GetSchemaOverlays(server, tool));
    }

    [Theory]
    [InlineData("\"additionalProperties\"")]
    [InlineData("true")]
    [InlineData("[]")]
    public void A_schema_that_is_not_an_object_is_an_error_with_its_path(string value)
    {
        var ex = Assert.Throws<PolicyValidationException>(() => PolicyLoader.FromJson($$"""{ "tools": [ { "match": "a/b", "risk": "Low", "schema": {{value}} } ] }"""));

        var error = Assert.Single(ex.Errors);
        Assert.Equal("$.tools[0].schema", error.Path);
        Assert.StartsWith("expected a JSON Schema object", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_schema_from_IConfiguration_is_an_error()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["McpPolicy:Tools:0:Match"] = "a/b",
            ["McpPolicy:Tools:0:Risk"] = "Low",
            ["McpPolicy:Tools:0:Schema:maxLength"] = "5",
        }).Build();

        var ex = Assert.Throws<PolicyValidationException>(() => PolicyLoader.FromConfiguration(configuration.GetSection("McpPolicy")));

        Assert.Equal("$.tools[0].schema", Assert.Single(ex.Errors).Path, ignoreCase: true);
    }

    [Fact]
    public void A_schema_the_hook_rejects_fails_compilation_under_its_path()
    {
        var ex = Assert.Throws<PolicyValidationException>(() => new PolicyEvaluator(PolicyLoader.FromJson(Policy), schemaOverlays: new RejectAll()));

        Assert.Equal(["$.tools[0].schema", "$.tools[2].schema"], ex.Errors.Select(e => e.Path));
        Assert.Contains("maxLength must be a non-negative integer", ex.Errors[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_schema_is_part_of_the_policy_version_in_canonical_form()
    {
        static string Version(string schema) => new PolicyEvaluator(
            PolicyLoader.FromJson($$"""{ "tools": [ { "match": "a/b", "risk": "Low"{{schema}} } ] }"""), schemaOverlays: new AcceptAll()).PolicyVersion;

        var none = Version("");
        var one = Version(""", "schema": { "maxLength": 5, "type": "object" }""");

        Assert.NotEqual(none, one);
        Assert.Equal(one, Version(""", "schema": {"type":"object",   "maxLength": 5.0}"""));
        Assert.NotEqual(one, Version(""", "schema": { "maxLength": 6, "type": "object" }"""));
        Assert.Equal(none, new PolicyEvaluator(PolicyLoader.FromJson("""{ "tools": [ { "match": "a/b", "risk": "Low" } ] }""")).PolicyVersion);
    }
}
