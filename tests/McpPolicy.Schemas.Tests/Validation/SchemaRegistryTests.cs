namespace McpPolicy.Schemas.Tests.Validation;

public sealed class SchemaRegistryTests
{
    [Fact]
    public void A_network_ref_is_never_fetched_and_names_the_uri()
    {
        var error = Assert.Throws<InvalidSchemaException>(() => Json.Validator("""{"properties":{"a":{"$ref":"https://example.com/schemas/address.json"}}}"""));

        Assert.Contains("'https://example.com/schemas/address.json'", error.Message, StringComparison.Ordinal);
        Assert.Contains("never fetches", error.Message, StringComparison.Ordinal);
        Assert.Equal("#/properties/a/$ref", error.SchemaLocation);
    }

    [Fact]
    public void A_relative_ref_against_an_http_id_is_not_fetched_either()
    {
        Assert.Throws<InvalidSchemaException>(() => Json.Validator("""{"$id":"http://169.254.169.254/latest/","$ref":"meta-data"}"""));
    }

    [Fact]
    public void A_registered_schema_resolves()
    {
        var registry = new SchemaRegistry();
        registry.Register("https://example.com/schemas/address.json", Json.Parse("""{"type":"object","required":["city"]}"""));

        var validator = registry.GetValidator(Json.Parse("""{"properties":{"home":{"$ref":"https://example.com/schemas/address.json"}}}"""));

        Assert.True(validator.IsValid(Json.Parse("""{"home":{"city":"Oslo"}}""")));
        var error = Assert.Single(validator.Validate(Json.Parse("""{"home":{}}""")).Errors);
        Assert.Equal("https://example.com/schemas/address.json#/required", error.SchemaLocation);
        Assert.Equal("/home", error.InstanceLocation);
    }

    [Fact]
    public void A_schema_is_registered_under_its_id_too()
    {
        var registry = new SchemaRegistry();
        registry.Register("https://example.com/a.json", Json.Parse("""{"$id":"https://example.com/ids/b.json","type":"integer"}"""));

        var validator = registry.GetValidator(Json.Parse("""{"$ref":"https://example.com/ids/b.json"}"""));

        Assert.False(validator.IsValid(Json.Parse("\"x\"")));
    }

    [Fact]
    public void A_registered_schema_or_metaschema_can_be_had_by_uri()
    {
        var registry = new SchemaRegistry();
        registry.Register("https://example.com/port.json", Json.Parse("""{"type":"integer","maximum":65535}"""));

        Assert.False(registry.GetValidator("https://example.com/port.json").IsValid(Json.Parse("70000")));
        Assert.Same(registry.GetValidator("https://example.com/port.json"), registry.GetValidator("https://example.com/port.json"));
        Assert.False(registry.GetValidator("http://json-schema.org/draft-07/schema#").IsValid(Json.Parse("""{"type":"float"}""")));
        Assert.Throws<ArgumentException>(() => registry.GetValidator("https://example.com/unknown.json"));
    }

    [Fact]
    public void Registering_different_content_under_a_uri_is_refused()
    {
        var registry = new SchemaRegistry();
        registry.Register("https://example.com/a.json", Json.Parse("""{"type":"integer"}"""));
        registry.Register("https://example.com/a.json", Json.Parse("""{ "type" : "integer" }"""));

        Assert.Throws<ArgumentException>(() => registry.Register("https://example.com/a.json", Json.Parse("""{"type":"string"}""")));
    }

    [Theory]
    [InlineData("relative/path.json")]
    [InlineData("https://example.com/a.json#frag")]
    [InlineData("https://json-schema.org/draft/2020-12/schema")]
    public void Unusable_registration_uris_are_refused(string uri)
    {
        Assert.Throws<ArgumentException>(() => new SchemaRegistry().Register(uri, Json.Parse("{}")));
    }

    [Fact]
    public void Equal_schemas_share_one_compiled_validator()
    {
        var registry = new SchemaRegistry();

        var first = registry.GetValidator(Json.Parse("""{"type":"object","properties":{"a":{"type":"string"}}}"""));
        var reordered = registry.GetValidator(Json.Parse("""{ "properties": { "a": { "type": "string" } }, "type": "object" }"""));
        var different = registry.GetValidator(Json.Parse("""{"type":"object","properties":{"a":{"type":"number"}}}"""));

        Assert.Same(first, reordered);
        Assert.NotSame(first, different);
        Assert.Equal(64, first.ContentHash.Length);
    }

    [Fact]
    public void Schemas_that_differ_only_beyond_double_precision_do_not_share_a_validator()
    {
        var registry = new SchemaRegistry();

        var a = registry.GetValidator(Json.Parse("""{"maximum":9007199254740993}"""));
        var b = registry.GetValidator(Json.Parse("""{"maximum":9007199254740992}"""));

        Assert.NotSame(a, b);
        Assert.True(a.IsValid(Json.Parse("9007199254740993")));
        Assert.False(b.IsValid(Json.Parse("9007199254740993")));
    }

    [Fact]
    public void A_validator_does_not_depend_on_the_callers_document()
    {
        JsonSchemaValidator validator;
        using (var document = System.Text.Json.JsonDocument.Parse("""{"enum":["a","b"],"pattern":"^a"}"""))
        {
            validator = new SchemaRegistry().GetValidator(document.RootElement);
        }

        Assert.True(validator.IsValid(Json.Parse("\"a\"")));
        Assert.False(validator.IsValid(Json.Parse("\"b\"")));
    }

    [Fact]
    public void Malformed_keywords_are_compile_errors_with_a_location()
    {
        var error = Assert.Throws<InvalidSchemaException>(() => Json.Validator("""{"properties":{"a":{"minLength":"3"}}}"""));

        Assert.Equal("#/properties/a/minLength", error.SchemaLocation);
    }

    [Fact]
    public void Options_are_validated_when_the_registry_is_created()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SchemaRegistry(new JsonSchemaOptions { MaxEvaluationDepth = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SchemaRegistry(new JsonSchemaOptions { ValidationTimeout = TimeSpan.Zero }));
    }
}
