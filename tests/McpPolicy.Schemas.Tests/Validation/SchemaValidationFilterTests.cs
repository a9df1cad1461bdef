using McpPolicy.Schemas.Validation;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Schemas.Tests.Validation;

/// <summary>The Validate-step filter: arguments are checked against the tool's input schema before the policy sees them.</summary>
public sealed class SchemaValidationFilterTests
{
    private const string Schema = """
        {"type":"object","properties":{"path":{"type":"string","maxLength":10},"mode":{"enum":["read","write"]}},
         "required":["path"],"additionalProperties":false}
        """;

    private static readonly ToolHints Quiet = new(ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false);

    private static async Task<(CallToolResult Result, bool Ran)> RunAsync(string arguments, string? schema, ToolInvocationPipeline? pipeline = null)
    {
        pipeline ??= new ToolInvocationPipeline([new PolicyAssessmentFilter(new PolicyEvaluator(new McpPolicyOptions())), new SchemaValidationFilter(new SchemaRegistry())]);
        var descriptor = new ToolDescriptor("tool") { Hints = Quiet, InputSchema = schema is null ? null : Json.Parse(schema) };
        bool ran = false;
        var context = new ToolInvocationContext("srv", "tool", ToolArguments.Parse(arguments), descriptor)
        {
            Invoker = (_, _) =>
            {
                ran = true;
                return ValueTask.FromResult(new CallToolResult { Content = [new TextContentBlock { Text = "ran" }] });
            },
        };
        return (await pipeline.InvokeAsync(context), ran);
    }

    private static string Text(CallToolResult result) => Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text;

    [Fact]
    public async Task Arguments_that_match_the_schema_run_the_tool()
    {
        var (result, ran) = await RunAsync("""{"path":"a.txt","mode":"read"}""", Schema);

        Assert.True(ran);
        Assert.Equal("ran", Text(result));
    }

    [Fact]
    public async Task Arguments_that_do_not_match_are_denied_naming_the_location_and_keyword()
    {
        var (result, ran) = await RunAsync("""{"path":"a-much-too-long-name.txt"}""", Schema);

        Assert.False(ran);
        Assert.True(Denials.IsDenial(result));
        Assert.Equal("schema", result.Meta![McpPolicyMetaKeys.RuleId]!.GetValue<string>());
        Assert.Equal(
            "Denied by policy (rule 'schema'): the arguments do not match the tool's input schema: Value at '/path' must be at most 10 characters long, but has 24 (keyword 'maxLength' at argument '/path').",
            Text(result));
    }

    [Fact]
    public async Task Several_errors_are_listed_and_the_rest_counted()
    {
        var (result, _) = await RunAsync("""{"mode":"delete","a":1,"b":2,"c":3}""", Schema);

        string text = Text(result);
        Assert.Contains("keyword 'enum' at argument '/mode'", text, StringComparison.Ordinal);
        Assert.Contains("keyword 'additionalProperties' at argument '/a'", text, StringComparison.Ordinal);
        Assert.Contains("and 2 more", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_schema_that_cannot_be_compiled_blocks_the_call()
    {
        var (result, ran) = await RunAsync("""{"path":"a"}""", """{"$ref":"https://example.com/not-registered.json"}""");

        Assert.False(ran);
        Assert.Equal("schema-error", result.Meta![McpPolicyMetaKeys.RuleId]!.GetValue<string>());
    }

    [Fact]
    public async Task A_tool_without_a_known_schema_is_not_checked()
    {
        var (_, ran) = await RunAsync("""{"anything":[1,2,3]}""", schema: null);

        Assert.True(ran);
    }

    [Fact]
    public async Task Add_schema_validation_puts_the_filter_in_the_pipeline()
    {
        using var services = new ServiceCollection().AddMcpPolicy().AddSchemaValidation().AddSchemaValidation().Services.BuildServiceProvider();
        var pipeline = services.GetRequiredService<ToolInvocationPipeline>();

        Assert.Single(pipeline.Filters.OfType<SchemaValidationFilter>());
        var (result, ran) = await RunAsync("""{"path":1}""", Schema, pipeline);
        Assert.False(ran);
        Assert.Contains("keyword 'type' at argument '/path'", Text(result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_registered_registry_is_used_for_references()
    {
        var registry = new SchemaRegistry();
        registry.Register("https://example.com/path.json", Json.Parse("""{"type":"string","pattern":"^/"}"""));
        var services = new ServiceCollection();
        services.AddSingleton(registry);
        using var provider = services.AddMcpPolicy().AddSchemaValidation().Services.BuildServiceProvider();

        var (result, ran) = await RunAsync("""{"path":"relative"}""", """{"properties":{"path":{"$ref":"https://example.com/path.json"}}}""", provider.GetRequiredService<ToolInvocationPipeline>());

        Assert.False(ran);
        Assert.Contains("keyword 'pattern' at argument '/path'", Text(result), StringComparison.Ordinal);
    }
}
