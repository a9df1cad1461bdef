namespace McpPolicy.Schemas.Tests.Validation;

public sealed class AllocationTests
{
    [Theory]
    [InlineData("""
        {"type":"object","properties":{"path":{"type":"string","minLength":1,"maxLength":4096,"pattern":"^[^\\u0000]+$"},
         "mode":{"enum":["read","write","append"]},"count":{"type":"integer","minimum":0,"maximum":1000,"multipleOf":1},
         "tags":{"type":"array","items":{"type":"string","format":"hostname"},"uniqueItems":true,"maxItems":50},
         "options":{"type":"object","additionalProperties":{"type":["string","number","boolean"]}}},
         "required":["path","mode"],"additionalProperties":false}
        """,
        """{"path":"docs/readme.txt","mode":"write","count":12,"tags":["a.example.com","b.example.com"],"options":{"x":1,"y":"z","w":true}}""")]
    [InlineData("""
        {"$defs":{"base":{"properties":{"a":{"type":"string"}}}},"allOf":[{"$ref":"#/$defs/base"}],
         "anyOf":[{"properties":{"b":{"const":1}},"required":["b"]},{"properties":{"c":true}}],
         "if":{"required":["a"]},"then":{"properties":{"d":{"type":"integer"}}},"unevaluatedProperties":false}
        """,
        """{"a":"x","b":1,"d":3}""")]
    [InlineData("""{"propertyNames":{"type":"string","pattern":"^[a-z]+$","maxLength":8},"dependentRequired":{"abc":["de"]},"minProperties":1}""",
        """{"abc":1,"de":[1,2,{"x":null}]}""")]
    [InlineData("""{"$ref":"https://json-schema.org/draft/2020-12/schema"}""",
        """{"type":"object","properties":{"a":{"type":"string","minLength":1}},"required":["a"],"$defs":{"x":{"items":{"$ref":"#"}}}}""")]
    public void Validating_a_valid_instance_allocates_nothing(string schema, string instance)
    {
        var validator = Json.Validator(schema, new JsonSchemaOptions { AssertFormat = true });
        var value = Json.Parse(instance);
        for (int i = 0; i < 100; i++)
        {
            Assert.True(validator.IsValid(value));
            Assert.True(validator.Validate(value).IsValid);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            validator.IsValid(value);
            validator.Validate(value);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
