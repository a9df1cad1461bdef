namespace McpPolicy.Schemas.Tests.Validation;

public sealed class ValidationErrorTests
{
    private const string ToolSchema = """
        {
          "type": "object",
          "properties": {
            "path": { "type": "string", "minLength": 1, "maxLength": 10 },
            "mode": { "enum": ["read", "write"] },
            "count": { "type": "integer", "minimum": 0, "maximum": 100 },
            "tags": { "type": "array", "items": { "type": "string" }, "uniqueItems": true }
          },
          "required": ["path", "mode"],
          "additionalProperties": false
        }
        """;

    [Fact]
    public void Valid_arguments_have_no_errors()
    {
        var result = Json.Validator(ToolSchema).Validate(Json.Parse("""{"path":"a.txt","mode":"read","count":3,"tags":["x","y"]}"""));

        Assert.True(result.IsValid);
        Assert.Empty(result.Errors);
        Assert.False(result.LimitExceeded);
    }

    [Fact]
    public void An_error_names_the_instance_location_the_schema_location_and_the_keyword()
    {
        var result = Json.Validator(ToolSchema).Validate(Json.Parse("""{"path":"a.txt","mode":"read","count":101}"""));

        var error = Assert.Single(result.Errors);
        Assert.Equal("/count", error.InstanceLocation);
        Assert.Equal("#/properties/count/maximum", error.SchemaLocation);
        Assert.Equal("maximum", error.Keyword);
        Assert.Equal("Value at '/count' must be less than or equal to 100, but is 101.", error.Message);
    }

    [Fact]
    public void Every_failure_is_reported_not_just_the_first()
    {
        var result = Json.Validator(ToolSchema).Validate(Json.Parse("""{"path":"","count":1.5,"tags":["x","x"],"extra":true}"""));

        Assert.False(result.IsValid);
        var reported = result.Errors.Select(e => (e.InstanceLocation, e.Keyword)).ToHashSet();
        Assert.Contains(("/path", "minLength"), reported);
        Assert.Contains(("/count", "type"), reported);
        Assert.Contains(("/tags", "uniqueItems"), reported);
        Assert.Contains(("/extra", "additionalProperties"), reported);
        Assert.Contains(("", "required"), reported);
    }

    [Fact]
    public void A_missing_required_property_is_named_in_the_message()
    {
        var error = Assert.Single(Json.Validator(ToolSchema).Validate(Json.Parse("""{"path":"a"}""")).Errors);

        Assert.Equal("required", error.Keyword);
        Assert.Equal(string.Empty, error.InstanceLocation);
        Assert.Equal("#/required", error.SchemaLocation);
        Assert.Equal("Value must have the required property 'mode'.", error.Message);
    }

    [Fact]
    public void An_unknown_property_message_lists_the_known_ones()
    {
        var error = Assert.Single(Json.Validator(ToolSchema).Validate(Json.Parse("""{"path":"a","mode":"read","pth":1}""")).Errors);

        Assert.Equal("/pth", error.InstanceLocation);
        Assert.Equal("#/additionalProperties", error.SchemaLocation);
        Assert.Contains("'pth' is not a known property", error.Message, StringComparison.Ordinal);
        Assert.Contains("'path', 'mode', 'count', 'tags'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_enum_mismatch_lists_the_allowed_values()
    {
        var error = Assert.Single(Json.Validator(ToolSchema).Validate(Json.Parse("""{"path":"a","mode":"delete"}""")).Errors);

        Assert.Equal("enum", error.Keyword);
        Assert.Equal("Value at '/mode' must be one of \"read\", \"write\", but is \"delete\".", error.Message);
    }

    [Fact]
    public void String_length_is_counted_in_code_points()
    {
        var validator = Json.Validator("""{"maxLength": 2, "minLength": 2}""");

        Assert.True(validator.IsValid(Json.Parse("\"\U0001F4A9\U0001F4A9\"")));
        Assert.True(validator.IsValid(Json.Parse("\"\\uD83D\\uDCA9\\u00e9\"")));
        var error = Assert.Single(validator.Validate(Json.Parse("\"abc\"")).Errors);
        Assert.Equal("Value must be at most 2 characters long, but has 3.", error.Message);
    }

    [Fact]
    public void A_failed_anyOf_explains_each_alternative()
    {
        var validator = Json.Validator("""{"properties":{"id":{"anyOf":[{"type":"integer"},{"type":"string","pattern":"^[a-z]+$"}]}}}""");

        var error = Assert.Single(validator.Validate(Json.Parse("""{"id":"ABC"}""")).Errors);

        Assert.Equal("anyOf", error.Keyword);
        Assert.Equal("/id", error.InstanceLocation);
        Assert.Equal("#/properties/id/anyOf", error.SchemaLocation);
        Assert.Contains("[0] Value at '/id' must be an integer, but is a string", error.Message, StringComparison.Ordinal);
        Assert.Contains("[1] Value at '/id' must match the pattern '^[a-z]+$'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Errors_inside_a_referenced_schema_carry_the_referenced_location()
    {
        var validator = Json.Validator("""{"$defs":{"port":{"type":"integer","maximum":65535}},"properties":{"port":{"$ref":"#/$defs/port"}}}""");

        var error = Assert.Single(validator.Validate(Json.Parse("""{"port":70000}""")).Errors);

        Assert.Equal("/port", error.InstanceLocation);
        Assert.Equal("#/$defs/port/maximum", error.SchemaLocation);
    }

    [Fact]
    public void Instance_locations_escape_slash_and_tilde()
    {
        var validator = Json.Validator("""{"additionalProperties":{"type":"string"}}""");

        var error = Assert.Single(validator.Validate(Json.Parse("""{"a/b~c":1}""")).Errors);

        Assert.Equal("/a~1b~0c", error.InstanceLocation);
    }

    [Fact]
    public void Unevaluated_property_errors_name_the_property()
    {
        var validator = Json.Validator("""{"allOf":[{"properties":{"a":true}}],"unevaluatedProperties":false}""");

        var error = Assert.Single(validator.Validate(Json.Parse("""{"a":1,"b":2}""")).Errors);

        Assert.Equal("unevaluatedProperties", error.Keyword);
        Assert.Equal("/b", error.InstanceLocation);
    }

    [Fact]
    public void The_error_count_is_capped()
    {
        var validator = Json.Validator("""{"items":{"type":"string"}}""", new JsonSchemaOptions { MaxErrors = 3 });

        var result = validator.Validate(Json.Parse("[1,2,3,4,5,6]"));

        Assert.Equal(3, result.Errors.Count);
        Assert.False(result.IsValid);
    }

    [Fact]
    public void Is_valid_agrees_with_validate()
    {
        var validator = Json.Validator(ToolSchema);
        foreach (var instance in (string[])["""{"path":"a","mode":"read"}""", """{"path":"a"}""", "[]", """{"path":"a","mode":"read","x":1}"""])
        {
            Assert.Equal(validator.Validate(Json.Parse(instance)).IsValid, validator.IsValid(Json.Parse(instance)));
        }
    }
}
