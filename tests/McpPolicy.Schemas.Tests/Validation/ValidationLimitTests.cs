using System.Diagnostics;

namespace McpPolicy.Schemas.Tests.Validation;

public sealed class ValidationLimitTests
{
    private static readonly string DeepArray = new string('[', 10_000) + new string(']', 10_000);

    [Fact]
    public void A_10000_level_instance_fails_cleanly_with_a_depth_error()
    {
        var validator = Json.Validator("""{"items":{"$ref":"#"}}""");

        var result = validator.Validate(Json.Parse(DeepArray));

        Assert.False(result.IsValid);
        Assert.True(result.LimitExceeded);
        var error = result.Errors[^1];
        Assert.Equal(nameof(JsonSchemaOptions.MaxEvaluationDepth), error.Keyword);
        Assert.Contains("nested too deeply", error.Message, StringComparison.Ordinal);
        Assert.False(validator.IsValid(Json.Parse(DeepArray)));
    }

    [Fact]
    public void Deep_nesting_fails_cleanly_even_on_a_small_stack()
    {
        var validator = Json.Validator("""{"items":{"$ref":"#"}}""", new JsonSchemaOptions { MaxEvaluationDepth = 100_000 });
        var instance = Json.Parse(DeepArray);
        SchemaValidationResult? result = null;

        var thread = new Thread(() => result = validator.Validate(instance), 256 * 1024);
        thread.Start();
        thread.Join();

        Assert.NotNull(result);
        Assert.True(result.LimitExceeded);
    }

    [Theory]
    [InlineData("""{"uniqueItems":true}""")]
    [InlineData("""{"enum":[[[[1]]], 2]}""")]
    public void Comparing_deeply_nested_values_fails_cleanly(string schema)
    {
        var validator = Json.Validator(schema);

        var result = validator.Validate(Json.Parse("[" + DeepArray + "," + DeepArray + "]"));

        Assert.False(result.IsValid);
    }

    [Fact]
    public void A_reference_cycle_that_never_descends_stops_at_the_depth_limit()
    {
        var validator = Json.Validator("""{"$defs":{"a":{"$ref":"#/$defs/b"},"b":{"$ref":"#/$defs/a"}},"$ref":"#/$defs/a"}""");

        var result = validator.Validate(Json.Parse("1"));

        Assert.True(result.LimitExceeded);
    }

    [Fact]
    public void A_deeply_nested_schema_is_refused_at_compile_time()
    {
        string schema = string.Concat(Enumerable.Repeat("{\"items\":", 10_000)) + "true" + new string('}', 10_000);

        var error = Assert.Throws<InvalidSchemaException>(() => Json.Validator(schema));

        Assert.Contains(nameof(JsonSchemaOptions.MaxSchemaDepth), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_oversized_schema_is_refused()
    {
        var error = Assert.Throws<InvalidSchemaException>(() => Json.Validator("""{"description":"0123456789012345678901234567890123456789"}""", new JsonSchemaOptions { MaxSchemaBytes = 32 }));

        Assert.Contains(nameof(JsonSchemaOptions.MaxSchemaBytes), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_schema_with_too_many_subschemas_is_refused()
    {
        string schema = "{\"properties\":{" + string.Join(',', Enumerable.Range(0, 50).Select(i => $"\"p{i}\":{{}}")) + "}}";

        var error = Assert.Throws<InvalidSchemaException>(() => Json.Validator(schema, new JsonSchemaOptions { MaxSchemaNodes = 20 }));

        Assert.Contains(nameof(JsonSchemaOptions.MaxSchemaNodes), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_options_validate_long_instances_on_a_fresh_thread()
    {
        // Regression: a thread's first validation state started out holding JsonSchemaOptions.Default with a zero timeout, and
        // was only recomputed when other options came along, so with the default options (what AddSchemaValidation() uses)
        // every instance that needed more than one clock check (about 128 steps) failed with ValidationTimeout.
        var validator = Json.Validator("""{"type":"array","items":{"type":"object","properties":{"id":{"type":"integer"}},"required":["id"]}}""", JsonSchemaOptions.Default);
        var instance = Json.Parse("[" + string.Join(',', Enumerable.Range(0, 1000).Select(i => $"{{\"id\":{i}}}")) + "]");
        bool isValid = false;
        SchemaValidationResult? result = null;
        var thread = new Thread(() =>
        {
            isValid = validator.IsValid(instance);
            result = validator.Validate(instance);
        });
        thread.Start();
        thread.Join();

        Assert.True(isValid);
        Assert.NotNull(result);
        Assert.True(result.IsValid, string.Join("; ", result.Errors.Select(e => e.ToString())));
    }

    [Fact]
    public void Validation_that_outlasts_the_timeout_stops_with_a_time_error()
    {
        var options = new JsonSchemaOptions { TimeProvider = new SteppingTimeProvider(), ValidationTimeout = TimeSpan.FromSeconds(5) };
        var validator = Json.Validator("""{"items":{"type":"integer"}}""", options);

        var result = validator.Validate(Json.Parse("[" + string.Join(',', Enumerable.Range(0, 1000)) + "]"));

        Assert.False(result.IsValid);
        Assert.True(result.LimitExceeded);
        Assert.Equal(nameof(JsonSchemaOptions.ValidationTimeout), result.Errors[^1].Keyword);
    }

    [Fact]
    public void Unique_items_whose_values_differ_only_deep_down_are_bounded_by_the_clock()
    {
        // Value hashes look 64 levels deep; items that differ below that all collide and are compared pairwise.
        var options = new JsonSchemaOptions { TimeProvider = new SteppingTimeProvider(), ValidationTimeout = TimeSpan.FromSeconds(5) };
        var validator = Json.Validator("""{"uniqueItems":true}""", options);
        string Deep(int i) => new string('[', 70) + i + new string(']', 70);

        var result = validator.Validate(Json.Parse("[" + string.Join(',', Enumerable.Range(0, 2000).Select(Deep)) + "]"));

        Assert.True(result.LimitExceeded);
        Assert.Equal(nameof(JsonSchemaOptions.ValidationTimeout), result.Errors[^1].Keyword);
    }

    [Fact]
    public void A_catastrophic_pattern_runs_in_linear_time()
    {
        var validator = Json.Validator("""{"pattern":"^(a+)+$"}""");
        var stopwatch = Stopwatch.StartNew();

        var result = validator.Validate(Json.Parse("\"" + new string('a', 50_000) + "!\""));

        Assert.False(result.IsValid);
        Assert.False(result.LimitExceeded);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), stopwatch.Elapsed.ToString());
    }

    [Fact]
    public void A_backtracking_pattern_is_bounded_by_the_timeout()
    {
        // A lookahead needs the backtracking engine; its match timeout stops the exponential case.
        var validator = Json.Validator("""{"pattern":"^(?=(a+)+$)"}""", new JsonSchemaOptions { ValidationTimeout = TimeSpan.FromMilliseconds(200) });
        var stopwatch = Stopwatch.StartNew();

        var result = validator.Validate(Json.Parse("\"" + new string('a', 40) + "!\""));

        Assert.False(result.IsValid);
        Assert.True(result.LimitExceeded);
        Assert.Equal(nameof(JsonSchemaOptions.ValidationTimeout), result.Errors[^1].Keyword);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), stopwatch.Elapsed.ToString());
    }

    [Fact]
    public void A_huge_string_and_a_huge_array_are_handled_quickly()
    {
        var strings = Json.Validator("""{"maxLength":10,"pattern":"^[a-z]*$"}""");
        var arrays = Json.Validator("""{"uniqueItems":true,"items":{"type":"integer"}}""");
        var stopwatch = Stopwatch.StartNew();

        Assert.False(strings.IsValid(Json.Parse("\"" + new string('a', 10_000_000) + "\"")));
        Assert.True(arrays.IsValid(Json.Parse("[" + string.Join(',', Enumerable.Range(0, 200_000)) + "]")));
        Assert.False(arrays.IsValid(Json.Parse("[" + string.Join(',', Enumerable.Range(0, 200_000)) + ",5]")));

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(20), stopwatch.Elapsed.ToString());
    }

    private sealed class SteppingTimeProvider : TimeProvider
    {
        private long _now;

        public override long GetTimestamp() => _now += TimestampFrequency;
    }
}
