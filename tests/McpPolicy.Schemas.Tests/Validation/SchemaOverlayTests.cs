using System.ComponentModel;
using McpPolicy.Schemas.Validation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;

namespace McpPolicy.Schemas.Tests.Validation;

/// <summary>Policy schema overlays (<c>tools[].schema</c>) tighten a tool's upstream input schema, over a real MCP server.</summary>
public sealed class SchemaOverlayTests
{
    private const string Policy = """
        {
          "tools": [
            { "match": "*/note", "risk": "Low",
              "schema": { "properties": { "title": true, "kind": true }, "additionalProperties": false } },
            { "match": "*/n*", "risk": "Low",
              "schema": { "properties": { "title": { "maxLength": 8 }, "kind": { "enum": ["todo", "idea"] } } } },
            { "match": "*/*", "risk": "Low" }
          ]
        }
        """;

    private static void AddTools(IMcpServerBuilder mcp) => mcp.WithTools<NoteTools>();

    [Fact]
    public async Task Arguments_that_satisfy_every_overlay_run_the_tool()
    {
        await using var mcp = await SchemaMcp.StartAsync(Policy, AddTools);

        var result = await mcp.CallAsync("note", new() { ["title"] = "buy milk", ["kind"] = "todo" });

        Assert.NotEqual(true, result.IsError);
        Assert.Equal("noted buy milk", SchemaMcp.Text(result));
    }

    [Fact]
    public async Task An_overlay_with_additionalProperties_false_denies_an_extra_argument()
    {
        await using var mcp = await SchemaMcp.StartAsync(Policy, AddTools);

        var result = await mcp.CallAsync("note", new() { ["title"] = "buy milk", ["kind"] = "todo", ["extra"] = 1 });

        Assert.True(result.IsError);
        Assert.Equal("tools[0].schema", SchemaMcp.RuleId(result));
        var text = SchemaMcp.Text(result);
        Assert.StartsWith("Denied by policy (rule 'tools[0].schema'): the arguments do not match the policy's schema for this tool (tools[0].schema): ", text, StringComparison.Ordinal);
        Assert.Contains("keyword 'additionalProperties'", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a much longer title", "todo", "maxLength", "/title")]
    [InlineData("short", "chore", "enum", "/kind")]
    public async Task A_second_matching_entry_tightens_lengths_and_enums_too(string title, string kind, string keyword, string location)
    {
        await using var mcp = await SchemaMcp.StartAsync(Policy, AddTools);

        var result = await mcp.CallAsync("note", new() { ["title"] = title, ["kind"] = kind });

        Assert.True(result.IsError);
        Assert.Equal("tools[1].schema", SchemaMcp.RuleId(result));
        Assert.Contains($"(keyword '{keyword}' at argument '{location}')", SchemaMcp.Text(result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_upstream_schema_is_still_checked_first()
    {
        await using var mcp = await SchemaMcp.StartAsync(Policy, AddTools);

        var result = await mcp.CallAsync("note", new() { ["kind"] = "todo" });

        Assert.Equal("schema", SchemaMcp.RuleId(result));
    }

    [Fact]
    public async Task Overlays_apply_only_to_the_calls_their_entry_matches()
    {
        await using var mcp = await SchemaMcp.StartAsync(Policy, AddTools);

        var result = await mcp.CallAsync("echo", new() { ["text"] = "a text far longer than eight characters" });

        Assert.NotEqual(true, result.IsError);
    }

    [Fact]
    public void An_invalid_overlay_fails_start_up_naming_its_path()
    {
        var services = new ServiceCollection();
        services.AddMcpPolicy(o => PolicyLoader.ApplyJson(o, """{ "tools": [ { "match": "*/*", "risk": "Low" }, { "match": "*/note", "risk": "Low", "schema": { "maxLength": -1 } } ] }"""))
            .AddSchemaValidation();
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<McpPolicyOptions>>().Value);

        Assert.Contains("$.tools[1].schema", ex.Message, StringComparison.Ordinal);
        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IPolicyEvaluator>());
    }

    [Fact]
    public void An_invalid_overlay_is_reported_by_the_evaluator_and_reload_keeps_the_policy_in_force()
    {
        var compiler = new SchemaOverlayCompiler(new SchemaRegistry());
        var evaluator = new PolicyEvaluator(PolicyLoader.FromJson(Policy), schemaOverlays: compiler);
        var version = evaluator.PolicyVersion;

        var ex = Assert.Throws<PolicyValidationException>(() => evaluator.Reload(PolicyLoader.FromJson("""{ "tools": [ { "match": "*/*", "risk": "Low", "schema": { "pattern": "(" } } ] }""")));

        var error = Assert.Single(ex.Errors);
        Assert.Equal("$.tools[0].schema", error.Path);
        Assert.Equal(version, evaluator.PolicyVersion);
    }

    [Fact]
    public void An_overlay_without_McpPolicy_Schemas_registered_does_not_compile()
    {
        var ex = Assert.Throws<PolicyValidationException>(() => new PolicyEvaluator(PolicyLoader.FromJson(Policy)));

        Assert.Equal(["$.tools[0].schema", "$.tools[1].schema"], ex.Errors.Select(e => e.Path));
        Assert.Contains("AddSchemaValidation()", ex.Errors[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_overlay_without_schema_keyword_is_read_in_the_dialect_of_the_input_schema()
    {
        // In draft-07, array-form "items" is a tuple; in 2020-12 it is an error, so the overlay only works when read as draft-07.
        var evaluator = new PolicyEvaluator(
            PolicyLoader.FromJson("""{ "tools": [ { "match": "srv/*", "risk": "Low", "schema": { "properties": { "pair": { "items": [ { "type": "string" } ] } } } } ] }"""),
            schemaOverlays: new SchemaOverlayCompiler(new SchemaRegistry(new JsonSchemaOptions { DefaultDialect = JsonSchemaDialect.Draft7 })));
        var filter = new SchemaValidationFilter(new SchemaRegistry(), evaluator: evaluator);
        var pipeline = new ToolInvocationPipeline([new PolicyAssessmentFilter(evaluator), filter]);
        var descriptor = new ToolDescriptor("tool")
        {
            InputSchema = Json.Parse("""{ "$schema": "http://json-schema.org/draft-07/schema#", "type": "object" }"""),
            Hints = new ToolHints(ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false),
        };
        var context = new ToolInvocationContext("srv", "tool", ToolArguments.Parse("""{"pair":[1]}"""), descriptor)
        {
            Invoker = (_, _) => ValueTask.FromResult(new ModelContextProtocol.Protocol.CallToolResult()),
        };

        var result = await pipeline.InvokeAsync(context);

        Assert.Equal("tools[0].schema", SchemaMcp.RuleId(result));
        Assert.Contains("keyword 'type' at argument '/pair/0'", SchemaMcp.Text(result), StringComparison.Ordinal);
    }

    /// <summary>Tools the overlays tighten.</summary>
    [McpServerToolType]
    public sealed class NoteTools
    {
        /// <summary>Takes a note.</summary>
        [McpServerTool(Name = "note", ReadOnly = true, OpenWorld = false)]
        [Description("Takes a note.")]
        public static string Note(string title, string kind) => "noted " + title + (kind.Length == 0 ? "" : "");

        /// <summary>Echoes.</summary>
        [McpServerTool(Name = "echo", ReadOnly = true, OpenWorld = false)]
        [Description("Echoes.")]
        public static string Echo(string text) => text;
    }
}
