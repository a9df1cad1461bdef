using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using McpPolicy.Chains;
using McpPolicy.Schemas;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Benchmarks;

/// <summary>
/// Schema validation against the size of the schema: <see cref="JsonSchemaValidator.IsValid"/> on a valid instance of an
/// object schema with <see cref="Properties"/> properties (a mix of strings with a length limit, integers with a range and
/// enums, all required, no additional properties); the instance fills every property. Compiled and parsed in the setup.
/// </summary>
[MemoryDiagnoser]
public class ScalingSchemaBenchmarks
{
    private JsonSchemaValidator _validator = null!;
    private JsonElement _instance;

    /// <summary>The number of properties of the schema and the instance.</summary>
    [Params(10, 100, 1_000)]
    public int Properties { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var schema = new StringBuilder("""{"type":"object","additionalProperties":false,"properties":{""");
        var instance = new StringBuilder("{");
        var required = new StringBuilder();
        for (var i = 0; i < Properties; i++)
        {
            var separator = i == 0 ? "" : ",";
            var name = "field" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            schema.Append(separator).Append('"').Append(name).Append("\":");
            instance.Append(separator).Append('"').Append(name).Append("\":");
            required.Append(separator).Append('"').Append(name).Append('"');
            switch (i % 3)
            {
                case 0:
                    schema.Append("""{"type":"string","minLength":1,"maxLength":64}""");
                    instance.Append("\"value of ").Append(name).Append('"');
                    break;
                case 1:
                    schema.Append("""{"type":"integer","minimum":0,"maximum":1000000}""");
                    instance.Append(i * 7);
                    break;
                default:
                    schema.Append("""{"enum":["low","medium","high","critical"]}""");
                    instance.Append("\"high\"");
                    break;
            }
        }

        schema.Append("},\"required\":[").Append(required).Append("]}");
        instance.Append('}');
        _validator = ScalingSchemas.Compile(schema.ToString());
        _instance = ScalingSchemas.Parse(instance.ToString());
        ScalingSchemas.MustBeValid(_validator, _instance, $"{Properties} properties");
    }

    /// <summary>Validates the instance (every property present and valid).</summary>
    [Benchmark]
    public bool IsValidObject() => _validator.IsValid(_instance);
}

/// <summary>
/// Schema validation against the number of items of an array argument: <c>{"items": array of objects}</c> where each item is
/// <c>{"id": integer, "name": string (maxLength 64), "done": boolean}</c>, all required, with <c>maxItems</c> 10,000.
/// </summary>
[MemoryDiagnoser]
public class ScalingArrayBenchmarks
{
    private JsonSchemaValidator _validator = null!;
    private JsonElement _instance;

    /// <summary>The number of array items.</summary>
    [Params(10, 100, 1_000)]
    public int Items { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _validator = ScalingSchemas.Compile("""
            {"type":"object","required":["items"],"additionalProperties":false,"properties":{
              "items":{"type":"array","maxItems":10000,"items":{"type":"object","required":["id","name","done"],"additionalProperties":false,
                "properties":{"id":{"type":"integer","minimum":1},"name":{"type":"string","maxLength":64},"done":{"type":"boolean"}}}}}}
            """);
        var instance = new StringBuilder("""{"items":[""");
        for (var i = 0; i < Items; i++)
        {
            instance.Append(i == 0 ? "" : ",").Append("{\"id\":").Append(i + 1).Append(",\"name\":\"task number ").Append(i + 1).Append("\",\"done\":").Append(i % 2 == 0 ? "true" : "false").Append('}');
        }

        instance.Append("]}");
        _instance = ScalingSchemas.Parse(instance.ToString());
        ScalingSchemas.MustBeValid(_validator, _instance, $"{Items} items");
    }

    /// <summary>Validates the instance (every item checked).</summary>
    [Benchmark]
    public bool IsValidArray() => _validator.IsValid(_instance);
}

/// <summary>
/// Costs that grow with the size of one argument, at <see cref="Kilobytes"/> KB of text:
/// <see cref="IsValidString"/> validates a string argument with <c>maxLength</c> and a <c>pattern</c> (every character is
/// checked), and <see cref="FlowTaintCheck"/> runs the flow check (<see cref="FlowRuleFilter"/>, the same policy as
/// <see cref="FlowBenchmarks"/>) on a clean <c>http/post</c> whose body is that text, in a conversation whose taint index is
/// full (400 earlier calls, half of them 200-character untrusted results: the default budget of 32,768 characters), so the
/// whole body is scanned and nothing matches.
/// </summary>
[MemoryDiagnoser]
public class ScalingArgumentBenchmarks
{
    private static readonly ToolInvocationDelegate Next = static (_, _) => ValueTask.CompletedTask;

    private JsonSchemaValidator _validator = null!;
    private JsonElement _instance;
    private FlowRuleFilter _filter = null!;
    private ToolInvocationContext _call = null!;
    private PolicyDecision _low = null!;
    private ServiceProvider _provider = null!;

    /// <summary>The size of the argument text in KB (1 KB = 1,024 characters, all ASCII).</summary>
    [Params(1, 10, 100)]
    public int Kilobytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        var text = ScalingText.Words(random, Kilobytes * 1024);

        _validator = ScalingSchemas.Compile("""
            {"type":"object","required":["text"],"additionalProperties":false,"properties":{
              "text":{"type":"string","maxLength":200000,"pattern":"^[a-z ]+$"}}}
            """);
        _instance = ScalingSchemas.Parse(JsonSerializer.Serialize(new Dictionary<string, string> { ["text"] = text }));
        ScalingSchemas.MustBeValid(_validator, _instance, $"{Kilobytes} KB string");

        (_provider, _filter) = FlowScenario.Build();
        var pipeline = _provider.GetRequiredService<ToolInvocationPipeline>();
        for (var i = 0; i < 400; i++)
        {
            var untrusted = i % 2 == 0;
            var context = Context(untrusted ? "web" : "notes", untrusted ? "fetch" : "list", "{}");
            context.InvokerState = new CallToolResult { Content = [new TextContentBlock { Text = untrusted ? ScalingText.Words(random, 200) : "ok" }] };
            context.Invoker = static (ctx, _) => ValueTask.FromResult((CallToolResult)ctx.InvokerState!);
            pipeline.InvokeAsync(context).AsTask().GetAwaiter().GetResult();
        }

        _low = new PolicyDecision(RiskLevel.Low, [new PolicyReason("defaults.risk", "default", RiskLevel.Low)], "bench");
        _call = Context("http", "post", JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["url"] = "https://api.example.com/v1/messages",
            ["subject"] = "weekly status report",
            ["body"] = ScalingText.Words(random, Kilobytes * 1024),
        }));
        _call.Decision = _low;
        _filter.InvokeAsync(_call, Next, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        if (_call.Decision!.Risk != RiskLevel.Low)
        {
            throw new InvalidOperationException($"scenario broken: the clean call was raised: {_call.Decision}");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _provider.Dispose();

    /// <summary>Validates a string argument of the given size against <c>maxLength</c> and <c>pattern</c>.</summary>
    [Benchmark]
    public bool IsValidString() => _validator.IsValid(_instance);

    /// <summary>The flow check of a clean call whose body has the given size (the whole body is scanned against the taint index).</summary>
    [Benchmark]
    public ValueTask FlowTaintCheck()
    {
        _call.Decision = _low;
        return _filter.InvokeAsync(_call, Next, CancellationToken.None);
    }

    private static ToolInvocationContext Context(string server, string tool, string arguments) =>
        new(server, tool, ToolArguments.Parse(arguments), new ToolDescriptor(tool) { Hints = new ToolHints(true, false, true, false) })
        {
            ConversationId = "bench",
        };
}

/// <summary>Helpers of the scaling benchmarks.</summary>
internal static class ScalingSchemas
{
    /// <summary>
    /// Compiles with default settings in a new options instance. (With the shared <see cref="JsonSchemaOptions.Default"/>, a
    /// thread's first validation state keeps a zero timeout, so an instance that takes more than 128 validation steps fails with
    /// <c>ValidationTimeout</c> at once; reported, not worked around in the library here.)
    /// </summary>
    public static JsonSchemaValidator Compile(string schema)
    {
        using var doc = JsonDocument.Parse(schema);
        return new SchemaRegistry(new JsonSchemaOptions()).GetValidator(doc.RootElement.Clone());
    }

    public static JsonElement Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }

    public static void MustBeValid(JsonSchemaValidator validator, JsonElement instance, string what)
    {
        var result = validator.Validate(instance);
        if (!validator.IsValid(instance) || !result.IsValid)
        {
            var errors = string.Join("; ", result.Errors.Take(3).Select(e => $"{e.InstanceLocation} {e.Keyword}: {e.Message}"));
            throw new InvalidOperationException($"scenario broken: the {what} instance must be valid ({errors})");
        }
    }
}
