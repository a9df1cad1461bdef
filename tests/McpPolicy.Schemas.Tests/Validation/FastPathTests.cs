namespace McpPolicy.Schemas.Tests.Validation;

/// <summary>
/// The specialised boolean path (used by <c>IsValid</c> and as the first pass of <c>Validate</c>) on the cases it decides
/// itself and on the ones it must hand back to the interpreter: escapes, names that contain backslashes, code point
/// lengths, number ties and big numbers, enum tables, nesting beyond its limit. Each verdict is checked through both
/// entry points (and the verdicts of the reference suite and the FsCheck property cover the rest).
/// </summary>
public sealed class FastPathTests
{
    private const string Draft7 = "\"$schema\":\"http://json-schema.org/draft-07/schema#\",";

    public static TheoryData<string, string, bool> Cases { get; } = new()
    {
        // Member names: escaped names are compared after unescaping; a declared name with a backslash is not the raw escape.
        { """{"properties":{"a":{"type":"string"}},"additionalProperties":false}""", """{"\u0061":"x"}""", true },
        { """{"properties":{"a":{"type":"string"}},"additionalProperties":false}""", """{"\u0061":1}""", false },
        { """{"properties":{"a":{"type":"string"}},"additionalProperties":false}""", """{"b":"x"}""", false },
        { """{"properties":{"a\\nb":{"type":"integer"}},"additionalProperties":false}""", """{"a\\nb":1}""", true },
        { """{"properties":{"a\\nb":{"type":"integer"}},"additionalProperties":false}""", """{"a\nb":1}""", false },
        { """{"properties":{"a\\nb":{"type":"integer"}},"additionalProperties":{"type":"string"}}""", """{"a\nb":"x","a\\nb":2}""", true },
        { """{"properties":{"é":{"const":1}},"required":["é"]}""", """{"\u00e9":1}""", true },
        { """{"properties":{"é":{"const":1}},"required":["é"]}""", """{"\u00e9":2}""", false },

        // required: declared and undeclared names, repeated names, more than 64 names (a bitmap of several words).
        { """{"properties":{"a":{}},"required":["a","b","b"],"additionalProperties":{"type":"integer"}}""", """{"a":"x","b":1}""", true },
        { """{"properties":{"a":{}},"required":["a","b"],"additionalProperties":{"type":"integer"}}""", """{"a":"x","b":"y"}""", false },
        { """{"properties":{"a":{}},"required":["a","b"]}""", """{"a":1}""", false },
        { """{"required":["b"]}""", """{"\u0062":1}""", true },
        { """{"required":["b"]}""", """[1]""", true },
        { Required(70), Members(70), true },
        { Required(70), Members(69), false },

        // Strings: lengths count code points, escaped strings are decoded, patterns run on bytes or the regex.
        { """{"maxLength":1}""", "\"\\u00e9\"", true },
        { """{"maxLength":1}""", "\"\\ud83d\\ude00\"", true },
        { """{"maxLength":1}""", "\"😀\"", true },
        { """{"maxLength":1}""", "\"ab\"", false },
        { """{"items":{"maxLength":100}}""", """["abc","\u00e9"]""", true },
        { """{"items":{"maxLength":3}}""", """["abc","abcd"]""", false },
        { """{"items":{"maxLength":3}}""", """["abc","\u00e9\u00e9\u00e9"]""", true },
        { """{"additionalProperties":{"maxLength":2}}""", """{"a":"ab","b":"abc"}""", false },
        { """{"minLength":2}""", "\"😀\"", false },
        { """{"minLength":2}""", "\"éé\"", true },
        { """{"minLength":3}""", "\"😀😀\"", false },
        { """{"minLength":2,"maxLength":2}""", "\"😀😀\"", true },
        { """{"type":"string","pattern":"^[a-z]+$","maxLength":3}""", "\"abc\"", true },
        { """{"type":"string","pattern":"^[a-z]+$","maxLength":3}""", "\"abcd\"", false },
        { """{"type":"string","pattern":"^[a-z]+$"}""", "\"a\\u0062c\"", true },
        { """{"type":"string","pattern":"^[a-z]+$"}""", "\"a\\u0031c\"", false },
        { """{"type":"string","pattern":"^[a-z]+$"}""", "\"aéc\"", false },
        { """{"pattern":"^é+$"}""", "\"éé\"", true },
        { """{"pattern":"^é+$"}""", "\"ée\"", false },
        { """{"pattern":"^[a-z]+$"}""", "12", true },

        // enum/const: UTF-8 tables (also past the hash-set size), escapes, mixed kinds, const and enum together.
        { """{"enum":["é","b"]}""", "\"\\u00e9\"", true },
        { """{"enum":["é","b"]}""", "\"\\u0062\"", true },
        { """{"enum":["é","b"]}""", "\"c\"", false },
        { """{"enum":["é","b"]}""", "1", false },
        { """{"enum":["é","b"]}""", "null", false },
        { """{"enum":["a",1,null,[1]]}""", "1.0", true },
        { """{"enum":["a",1,null,[1]]}""", "null", true },
        { """{"enum":["a",1,null,[1]]}""", "[1.0]", true },
        { """{"enum":["a",1,null,[1]]}""", "\"b\"", false },
        { """{"enum":["a","b","c","d","e","f","g","h","i","j","k",""]}""", "\"k\"", true },
        { """{"enum":["a","b","c","d","e","f","g","h","i","j","k",""]}""", "\"\"", true },
        { """{"enum":["a","b","c","d","e","f","g","h","i","j","k",""]}""", "\"l\"", false },
        { """{"enum":["a\\nb","c"]}""", "\"a\\nb\"", false },
        { """{"enum":["a\\nb","c"]}""", "\"a\\\\nb\"", true },
        { """{"const":"a","enum":["a","b"]}""", "\"a\"", true },
        { """{"const":"a","enum":["a","b"]}""", "\"b\"", false },

        // Numbers: exact on integers, on doubles away from the bounds, by the exact reading on a tie or past 2^53.
        { """{"type":"integer","minimum":1,"maximum":600}""", "600", true },
        { """{"type":"integer","minimum":1,"maximum":600}""", "600.0", true },
        { """{"type":"integer","minimum":1,"maximum":600}""", "1e2", true },
        { """{"type":"integer","minimum":1,"maximum":600}""", "601", false },
        { """{"type":"integer","minimum":1,"maximum":600}""", "0", false },
        { """{"type":"integer","minimum":1,"maximum":600}""", "5.5", false },
        { """{"type":"integer","minimum":1,"maximum":600}""", "0.99999999999999999999", false },
        { """{"exclusiveMaximum":1}""", "0.99999999999999999999", true },
        { """{"maximum":1}""", "1.00000000000000000001", false },
        { """{"minimum":1}""", "1.00000000000000000001", true },
        { """{"exclusiveMinimum":0}""", "-0", false },
        { """{"exclusiveMinimum":0}""", "1e-400", true },
        { """{"maximum":0}""", "1e-400", false },
        { """{"maximum":9007199254740992}""", "9007199254740993", false },
        { """{"maximum":9007199254740992}""", "9007199254740992.0", true },
        { """{"minimum":9007199254740993}""", "9007199254740992.5", false },
        { """{"minimum":-5,"exclusiveMaximum":2.5}""", "2.4", true },
        { """{"minimum":-5,"exclusiveMaximum":2.5}""", "2.5", false },
        { """{"type":"number","minimum":0,"maximum":1000}""", "1e400", false },
        { """{"type":"number","minimum":0,"multipleOf":0.5}""", "2.5", true },
        { """{"type":"number","minimum":0,"multipleOf":0.5}""", "2.25", false },
        { """{"type":["integer","null"],"minimum":1}""", "null", true },
        { """{"type":["integer","null"],"minimum":1}""", "\"1\"", false },

        // propertyNames: on UTF-8 bytes, decoded when escaped, or left to the keyword.
        { """{"propertyNames":{"pattern":"^[A-Z_][A-Z0-9_]*$"}}""", """{"GIT_PAGER":1,"LC_ALL":2}""", true },
        { """{"propertyNames":{"pattern":"^[A-Z_][A-Z0-9_]*$"}}""", """{"git":1}""", false },
        { """{"propertyNames":{"pattern":"^[A-Z_][A-Z0-9_]*$"}}""", """{"\u0047IT":1}""", true },
        { """{"propertyNames":{"pattern":"^[A-Z_][A-Z0-9_]*$"}}""", """{"\u0067it":1}""", false },
        { """{"propertyNames":{"maxLength":1}}""", """{"😀":1}""", true },
        { """{"propertyNames":{"maxLength":1}}""", """{"ab":1}""", false },
        { """{"propertyNames":{"enum":["a","é"]}}""", """{"a":1,"\u00e9":2}""", true },
        { """{"propertyNames":{"enum":["a","é"]}}""", """{"b":1}""", false },
        { """{"propertyNames":{"enum":[1]}}""", """{"a":1}""", false },
        { """{"propertyNames":{"enum":[1]}}""", """{}""", true },
        { """{"propertyNames":{"type":"integer"}}""", """{"1":1}""", false },
        { """{"propertyNames":false}""", """{"a":1}""", false },
        { """{"propertyNames":{"pattern":"^é"}}""", """{"éa":1}""", true },
        { """{"propertyNames":{"not":{"const":"a"}}}""", """{"a":1}""", false },
        { """{"propertyNames":{"not":{"const":"a"}}}""", """{"b":1}""", true },

        // Object and array counts, items.
        { """{"minProperties":1,"maxProperties":2}""", """{}""", false },
        { """{"minProperties":1,"maxProperties":2}""", """{"a":1,"b":2,"c":3}""", false },
        { """{"minProperties":1,"maxProperties":2}""", """{"a":1,"a":2}""", true },
        { """{"minItems":1,"maxItems":2,"items":{"type":"string"}}""", """["a","b"]""", true },
        { """{"minItems":1,"maxItems":2,"items":{"type":"string"}}""", """[]""", false },
        { """{"minItems":1,"maxItems":2,"items":{"type":"string"}}""", """["a",1]""", false },
        { """{"prefixItems":[{"type":"integer"}],"items":false}""", """[1]""", true },
        { """{"prefixItems":[{"type":"integer"}],"items":false}""", """[1,2]""", false },
        { """{"prefixItems":[{"type":"integer"},false]}""", """[1]""", true },
        { """{"prefixItems":[{"type":"integer"},false]}""", """[1,2]""", false },
        { """{"prefixItems":[{"type":"integer"}]}""", """[1,"x"]""", true },
        { "{" + Draft7 + "\"items\":[{\"type\":\"integer\"}],\"additionalItems\":{\"type\":\"string\"}}", """[1,"x"]""", true },
        { "{" + Draft7 + "\"items\":[{\"type\":\"integer\"}],\"additionalItems\":{\"type\":\"string\"}}", """[1,2]""", false },
        { "{" + Draft7 + "\"items\":{\"type\":\"integer\"}}", """[1,"x"]""", false },
        { """{"items":{"type":"string"},"uniqueItems":true}""", """["a","b"]""", true },
        { """{"items":{"type":"string"},"uniqueItems":true}""", """["a","\u0061"]""", false },
        { """{"uniqueItems":true}""", """["a","b","a"]""", false },
        { """{"uniqueItems":true}""", """["aaaaaaaaXaaaaaaaaa","aaaaaaaaYaaaaaaaaa"]""", true },
        { """{"uniqueItems":true}""", """["aaaaaaaaXaaaaaaaaa","aaaaaaaaXaaaaaaaaa"]""", false },
        { """{"uniqueItems":true}""", """["aaaaaaaaXaaaaaaa","aaaaaaaaYaaaaaaa"]""", true },
        { """{"uniqueItems":true}""", """["a","b","ab"]""", true },
        { """{"uniqueItems":true}""", """["a",1,"1"]""", true },
        { """{"uniqueItems":true}""", """[1,1.0]""", false },
        { """{"uniqueItems":true,"maxItems":20}""", Strings(17, duplicate: false), true },
        { """{"uniqueItems":true,"maxItems":20}""", Strings(17, duplicate: true), false },
        { """{"uniqueItems":true,"maxItems":20}""", Strings(16, duplicate: true), false },
        { """{"uniqueItems":true,"maxItems":20}""", Strings(16, duplicate: false), true },
        { """{"prefixItems":[{"type":"string"}],"uniqueItems":true}""", """["a",2,"a"]""", false },

        // Keywords the path hands back (references, applicators, unevaluated*, formats) inside specialised objects.
        { """{"$defs":{"n":{"type":"integer"}},"properties":{"a":{"$ref":"#/$defs/n"}}}""", """{"a":1}""", true },
        { """{"$defs":{"n":{"type":"integer"}},"properties":{"a":{"$ref":"#/$defs/n"}}}""", """{"a":"1"}""", false },
        { """{"properties":{"a":{"anyOf":[{"type":"string"},{"minimum":3}]}}}""", """{"a":2}""", false },
        { """{"properties":{"a":{"properties":{"b":true},"unevaluatedProperties":false}}}""", """{"a":{"b":1}}""", true },
        { """{"properties":{"a":{"properties":{"b":true},"unevaluatedProperties":false}}}""", """{"a":{"c":1}}""", false },
        { """{"properties":{"a":{"patternProperties":{"^x":{"type":"integer"}},"additionalProperties":false}}}""", """{"a":{"xy":1}}""", true },
        { """{"properties":{"a":{"patternProperties":{"^x":{"type":"integer"}},"additionalProperties":false}}}""", """{"a":{"y":1}}""", false },
        { """{"properties":{"a":{"dependentRequired":{"b":["c"]}}}}""", """{"a":{"b":1}}""", false },

        // Nesting beyond the specialised limit continues in the interpreter.
        { Nested(40, """{"type":"integer"}"""), NestedInstance(40, "1"), true },
        { Nested(40, """{"type":"integer"}"""), NestedInstance(40, "\"x\""), false },
        { Nested(40, """{"type":"integer"}"""), NestedInstance(20, "\"x\""), false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void IsValid_and_Validate_give_the_expected_verdict(string schema, string instance, bool expected)
    {
        var validator = Json.Validator(schema);
        var value = Json.Parse(instance);

        Assert.Equal(expected, validator.IsValid(value));
        var result = validator.Validate(value);
        Assert.Equal(expected, result.IsValid);
        Assert.Equal(expected, result.Errors.Count == 0);
    }

    [Fact]
    public void An_asserted_format_is_checked_inside_a_specialised_object()
    {
        var validator = Json.Validator("""{"properties":{"ip":{"type":"string","format":"ipv4","maxLength":15}}}""", new JsonSchemaOptions { AssertFormat = true });

        Assert.True(validator.IsValid(Json.Parse("""{"ip":"10.0.0.1"}""")));
        Assert.False(validator.IsValid(Json.Parse("""{"ip":"10.0.0.256"}""")));
        Assert.False(validator.Validate(Json.Parse("""{"ip":"10.0.0.256"}""")).IsValid);
    }

    [Fact]
    public void Errors_of_an_instance_the_boolean_pass_rejects_still_name_their_locations()
    {
        var validator = Json.Validator("""{"properties":{"a":{"items":{"type":"string","maxLength":2}}},"additionalProperties":false}""");

        var result = validator.Validate(Json.Parse("""{"a":["ok","toolong",3],"b":1}"""));

        Assert.Equal("/a/1 /a/2 /b", string.Join(' ', result.Errors.Select(e => e.InstanceLocation).Order(StringComparer.Ordinal)));
    }

    [Fact]
    public void The_time_limit_stops_the_boolean_pass_and_Validate_reports_where()
    {
        var options = new JsonSchemaOptions { TimeProvider = new SteppingTimeProvider(), ValidationTimeout = TimeSpan.FromSeconds(5) };
        var validator = Json.Validator("""{"type":"array","items":{"type":"integer","minimum":0}}""", options);
        var instance = Json.Parse("[" + string.Join(',', Enumerable.Range(0, 5000)) + "]");

        Assert.False(validator.IsValid(instance));
        var result = validator.Validate(instance);

        Assert.True(result.LimitExceeded);
        var error = result.Errors[^1];
        Assert.Equal(nameof(JsonSchemaOptions.ValidationTimeout), error.Keyword);
        Assert.StartsWith("/", error.InstanceLocation, StringComparison.Ordinal);
    }

    [Fact]
    public void The_time_limit_also_bounds_generic_keywords_under_a_specialised_node()
    {
        var options = new JsonSchemaOptions { TimeProvider = new SteppingTimeProvider(), ValidationTimeout = TimeSpan.FromSeconds(5) };
        var validator = Json.Validator("""{"type":"object","properties":{"a":{"uniqueItems":true}}}""", options);
        string Deep(int i) => new string('[', 70) + i + new string(']', 70);
        var instance = Json.Parse("{\"a\":[" + string.Join(',', Enumerable.Range(0, 2000).Select(Deep)) + "]}");

        Assert.False(validator.IsValid(instance));
        Assert.True(validator.Validate(instance).LimitExceeded);
    }

    [Fact]
    public void Deep_instances_under_a_specialised_node_still_hit_the_depth_limit()
    {
        var validator = Json.Validator("""{"type":"object","properties":{"a":{"$ref":"#/$defs/n"}},"$defs":{"n":{"items":{"$ref":"#/$defs/n"}}}}""");
        var instance = Json.Parse("{\"a\":" + new string('[', 10_000) + new string(']', 10_000) + "}");

        Assert.False(validator.IsValid(instance));
        var result = validator.Validate(instance);
        Assert.True(result.LimitExceeded);
        Assert.Equal(nameof(JsonSchemaOptions.MaxEvaluationDepth), result.Errors[^1].Keyword);
        Assert.StartsWith("/a/0/0", result.Errors[^1].InstanceLocation, StringComparison.Ordinal);
    }

    private static string Strings(int count, bool duplicate)
        => "[" + string.Join(',', Enumerable.Range(0, count).Select(i => "\"s" + (duplicate && i == count - 1 ? 0 : i) + "\"")) + "]";

    private static string Required(int count)
        => "{\"required\":[" + string.Join(',', Enumerable.Range(0, count).Select(i => "\"p" + i + "\"")) + "]}";

    private static string Members(int count)
        => "{" + string.Join(',', Enumerable.Range(0, count).Select(i => "\"p" + i + "\":" + i)) + "}";

    private static string Nested(int levels, string leaf)
    {
        string schema = leaf;
        for (int i = 0; i < levels; i++)
        {
            schema = "{\"type\":\"object\",\"properties\":{\"a\":" + schema + "},\"additionalProperties\":false}";
        }

        return schema;
    }

    private static string NestedInstance(int levels, string leaf)
    {
        string instance = leaf;
        for (int i = 0; i < levels; i++)
        {
            instance = "{\"a\":" + instance + "}";
        }

        return instance;
    }

    private sealed class SteppingTimeProvider : TimeProvider
    {
        private long _now;

        public override long GetTimestamp() => _now += TimestampFrequency;
    }
}
