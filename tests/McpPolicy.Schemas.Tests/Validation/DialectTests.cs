namespace McpPolicy.Schemas.Tests.Validation;

public sealed class DialectTests
{
    [Fact]
    public void A_schema_without_schema_keyword_is_2020_12_by_default()
    {
        var validator = Json.Validator("""{"prefixItems":[{"type":"integer"}],"items":false}""");

        Assert.Equal(JsonSchemaDialect.Draft202012, validator.Dialect);
        Assert.True(validator.IsValid(Json.Parse("[1]")));
        Assert.False(validator.IsValid(Json.Parse("[1,2]")));
    }

    [Fact]
    public void Draft_07_is_used_when_schema_keyword_says_so()
    {
        var validator = Json.Validator("""{"$schema":"http://json-schema.org/draft-07/schema#","items":[{"type":"integer"}],"additionalItems":false}""");

        Assert.Equal(JsonSchemaDialect.Draft7, validator.Dialect);
        Assert.True(validator.IsValid(Json.Parse("[1]")));
        Assert.False(validator.IsValid(Json.Parse("[1,2]")));
    }

    [Fact]
    public void Draft_07_ignores_keywords_beside_ref()
    {
        var validator = Json.Validator("""{"$schema":"http://json-schema.org/draft-07/schema#","definitions":{"a":{"type":"integer"}},"$ref":"#/definitions/a","maximum":1}""");

        Assert.True(validator.IsValid(Json.Parse("5")));
    }

    [Fact]
    public void Keywords_beside_ref_apply_in_2020_12()
    {
        var validator = Json.Validator("""{"$defs":{"a":{"type":"integer"}},"$ref":"#/$defs/a","maximum":1}""");

        Assert.False(validator.IsValid(Json.Parse("5")));
    }

    [Fact]
    public void The_default_dialect_can_be_draft_07()
    {
        var validator = Json.Validator("""{"items":[{"type":"integer"}],"additionalItems":false}""", new JsonSchemaOptions { DefaultDialect = JsonSchemaDialect.Draft7 });

        Assert.Equal(JsonSchemaDialect.Draft7, validator.Dialect);
        Assert.False(validator.IsValid(Json.Parse("[1,2]")));
    }

    [Theory]
    [InlineData("https://json-schema.org/draft/2019-09/schema")]
    [InlineData("http://json-schema.org/draft-04/schema#")]
    [InlineData("https://example.com/my-dialect")]
    public void An_unknown_schema_keyword_is_a_clear_error(string dialect)
    {
        var error = Assert.Throws<InvalidSchemaException>(() => Json.Validator("{\"$schema\":\"" + dialect + "\",\"type\":\"string\"}"));

        Assert.Contains("Unsupported $schema '" + dialect + "'", error.Message, StringComparison.Ordinal);
        Assert.Equal("#/$schema", error.SchemaLocation);
    }

    [Fact]
    public void Array_form_items_is_an_error_in_2020_12()
    {
        var error = Assert.Throws<InvalidSchemaException>(() => Json.Validator("""{"items":[{"type":"integer"}]}"""));

        Assert.Contains("prefixItems", error.Message, StringComparison.Ordinal);
        Assert.Equal("#/items", error.SchemaLocation);
    }

    [Fact]
    public void A_registered_metaschema_can_turn_vocabularies_off()
    {
        var registry = new SchemaRegistry();
        registry.Register("https://example.com/meta/no-validation", Json.Parse("""
            {"$schema":"https://json-schema.org/draft/2020-12/schema","$vocabulary":{
              "https://json-schema.org/draft/2020-12/vocab/core":true,"https://json-schema.org/draft/2020-12/vocab/applicator":true}}
            """));

        var validator = registry.GetValidator(Json.Parse("""{"$schema":"https://example.com/meta/no-validation","properties":{"a":false},"maximum":1}"""));

        Assert.True(validator.IsValid(Json.Parse("5")));
        Assert.False(validator.IsValid(Json.Parse("""{"a":1}""")));
    }

    [Fact]
    public void A_metaschema_requiring_an_unknown_vocabulary_is_refused()
    {
        var registry = new SchemaRegistry();
        registry.Register("https://example.com/meta/custom", Json.Parse("""
            {"$schema":"https://json-schema.org/draft/2020-12/schema","$vocabulary":{"https://example.com/vocab/magic":true}}
            """));

        var error = Assert.Throws<InvalidSchemaException>(() => registry.GetValidator(Json.Parse("""{"$schema":"https://example.com/meta/custom"}""")));

        Assert.Contains("unknown vocabulary 'https://example.com/vocab/magic'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Schemas_validate_against_the_built_in_metaschemas()
    {
        var metaschema = Json.Validator("""{"$ref":"https://json-schema.org/draft/2020-12/schema"}""");
        var draft7 = Json.Validator("""{"$ref":"http://json-schema.org/draft-07/schema#"}""");

        Assert.True(metaschema.IsValid(Json.Parse("""{"type":"object","properties":{"a":{"type":"string"}}}""")));
        Assert.False(metaschema.IsValid(Json.Parse("""{"type":"object","properties":{"a":{"type":1}}}""")));
        Assert.False(draft7.IsValid(Json.Parse("""{"minLength":-1}""")));
    }
}
