using System.ComponentModel;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpPolicy.Schemas.Tests.Validation;

/// <summary>Results are checked against the tool's declared output schema, over a real MCP server.</summary>
public sealed class OutputSchemaValidationTests
{
    private const string Policy = """{ "tools": [ { "match": "*/*", "risk": "Low" } ] }""";

    private const string ReportSchema = """
        {"type":"object","properties":{"temperature":{"type":"number"},"unit":{"enum":["C","F"]}},
         "required":["temperature","unit"],"additionalProperties":false}
        """;

    private static void AddTools(IMcpServerBuilder mcp)
    {
        mcp.WithTools<WeatherTools>();
        var report = McpServerTool.Create(
            (string mode) => mode switch
            {
                "valid" => Result("""{"temperature":21.5,"unit":"C"}"""),
                "invalid" => Result("""{"temperature":"secret-token-42","unit":"K","extra":"secret-token-43"}"""),
                "missing" => new CallToolResult { Content = [new TextContentBlock { Text = "no structure" }] },
                _ => new CallToolResult { IsError = true, Content = [new TextContentBlock { Text = "the tool failed" }] },
            },
            new McpServerToolCreateOptions { Name = "report", UseStructuredContent = true, OutputSchema = Json.Parse(ReportSchema), ReadOnly = true, OpenWorld = false });
        mcp.WithTools([report]);
    }

    private static CallToolResult Result(string structured) => new()
    {
        Content = [new TextContentBlock { Text = structured }],
        StructuredContent = Json.Parse(structured),
    };

    [Fact]
    public async Task A_typed_tool_whose_result_matches_its_inferred_schema_passes_through()
    {
        await using var mcp = await SchemaMcp.StartAsync(Policy, AddTools);

        var result = await mcp.CallAsync("weather", new() { ["city"] = "Oslo" });

        Assert.NotEqual(true, result.IsError);
        Assert.Equal("Oslo", result.StructuredContent!.Value.GetProperty("city").GetString());
    }

    [Fact]
    public async Task A_result_that_matches_the_explicit_schema_passes_through()
    {
        await using var mcp = await SchemaMcp.StartAsync(Policy, AddTools);

        var result = await mcp.CallAsync("report", new() { ["mode"] = "valid" });

        Assert.NotEqual(true, result.IsError);
        Assert.Equal(21.5, result.StructuredContent!.Value.GetProperty("temperature").GetDouble());
    }

    [Fact]
    public async Task A_mismatching_result_is_replaced_naming_locations_and_keywords_only()
    {
        await using var mcp = await SchemaMcp.StartAsync(Policy, AddTools);

        var result = await mcp.CallAsync("report", new() { ["mode"] = "invalid" });

        Assert.True(result.IsError);
        Assert.Null(result.StructuredContent);
        Assert.Equal("output-schema", SchemaMcp.RuleId(result));
        var text = SchemaMcp.Text(result);
        Assert.StartsWith("Denied by policy (rule 'output-schema'): the tool's result does not match its declared output schema: ", text, StringComparison.Ordinal);
        Assert.Contains("keyword 'type' fails at '/temperature'", text, StringComparison.Ordinal);
        Assert.Contains("keyword 'enum' fails at '/unit'", text, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-token", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\"K\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_result_without_structured_content_is_replaced()
    {
        await using var mcp = await SchemaMcp.StartAsync(Policy, AddTools);

        var result = await mcp.CallAsync("report", new() { ["mode"] = "missing" });

        Assert.True(result.IsError);
        Assert.Equal(
            "Denied by policy (rule 'output-schema'): the tool's result does not match its declared output schema: structuredContent is missing.",
            SchemaMcp.Text(result));
    }

    [Fact]
    public async Task An_error_result_passes_through_unchecked()
    {
        await using var mcp = await SchemaMcp.StartAsync(Policy, AddTools);

        var result = await mcp.CallAsync("report", new() { ["mode"] = "fail" });

        Assert.True(result.IsError);
        Assert.Null(SchemaMcp.RuleId(result));
        Assert.Equal("the tool failed", SchemaMcp.Text(result));
    }

    [Fact]
    public void The_output_filter_runs_inside_the_inspect_step()
    {
        var pipeline = new ToolInvocationPipeline([
            new McpPolicy.Schemas.Validation.OutputSchemaValidationFilter(new SchemaRegistry()),
            new PolicyAssessmentFilter(new PolicyEvaluator(new McpPolicyOptions())),
        ]);

        Assert.True(pipeline.Filters[^1].Order > ToolInvocationFilterOrder.Inspect);
    }

    /// <summary>A typed tool whose output schema the SDK infers from its return type.</summary>
    [McpServerToolType]
    public sealed class WeatherTools
    {
        /// <summary>The weather.</summary>
        [McpServerTool(Name = "weather", UseStructuredContent = true, ReadOnly = true, OpenWorld = false)]
        [Description("The weather in a city.")]
        public static Forecast Weather(string city) => new(city, 18.0, "C");
    }

    /// <summary>A forecast.</summary>
    public sealed record Forecast(string City, double Temperature, string Unit);
}
