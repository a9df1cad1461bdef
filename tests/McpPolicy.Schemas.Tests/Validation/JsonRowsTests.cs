using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using McpPolicy.Json;
using McpPolicy.Schemas.Validation;

namespace McpPolicy.Schemas.Tests.Validation;

/// <summary>
/// The specialised boolean path reads the document's parse table (<see cref="JsonRows"/>) only after a self-check: the check
/// passes on this runtime, the rows agree with the public API on generated documents, and validation gives the same
/// verdicts with the rows and with the public API only (the fallback), for whole documents and for sub-elements.
/// </summary>
public sealed class JsonRowsTests
{
    private static readonly string SchemasDirectory = FindSchemas();

    private static Arbitrary<(ValidationPropertyTests.JsonValue Value, int Seed)> Documents { get; } =
        ValidationPropertyTests.JsonValue.Generator.SelectMany(value => Gen.Choose(0, int.MaxValue).Select(seed => (value, seed))).ToArbitrary();

    public static TheoryData<string> ReferenceSchemas { get; } = new() { "read_file", "exec", "create_issue" };

    [Fact]
    public void The_self_check_passes_on_this_runtime()
    {
        Assert.True(JsonRows.SelfCheck());
        Assert.True(JsonRows.IsAvailable);
        Assert.NotEmpty(JsonRows.Probes);
    }

    [Fact]
    public void Rows_agree_with_the_public_api_on_generated_documents()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(500), Prop.ForAll(Documents, c =>
        {
            // Rendered with random member order, whitespace, escapes and number spellings.
            using var document = JsonDocument.Parse(c.Value.Render(new Random(c.Seed)));
            return Descendants(document.RootElement).All(JsonRows.Agrees) && JsonRows.Agrees(document.RootElement.Clone());
        }));
    }

    [Theory]
    [InlineData("""{"a":"x","b":[1,true]}""", """{"a":"y","b":[1,true]}""")] // a string's text
    [InlineData("""{"a":"x","b":[1,true]}""", """{"a":"x","c":[1,true]}""")] // a name
    [InlineData("""{"a":"x","b":[1,true]}""", """{"a":"x","b":[2,true]}""")] // a number
    [InlineData("""{"a":"x","b":[1,true]}""", """{"a":"x","b":[1,false]}""")] // a literal's kind
    [InlineData("""{"a":"x","b":[1,true]}""", """{"a":"x","b":[1,true,null]}""")] // an item count
    [InlineData("""{"a":"x","b":[1,true]}""", """{"a":"x","b":[1,true],"c":1}""")] // a member count
    [InlineData("""{"a":"x"}""", """{"a":"y"}""")] // an escaped string
    [InlineData("""["x",[1]]""", """["x",[1],2]""")]
    public void The_check_catches_rows_that_differ_from_what_the_public_api_says(string rowsOf, string other)
    {
        using var a = JsonDocument.Parse(rowsOf);
        using var b = JsonDocument.Parse(rowsOf);
        using var c = JsonDocument.Parse(other);

        Assert.True(JsonRows.Agrees(a.RootElement, b.RootElement)); // Same text, another document: the same rows.
        Assert.False(JsonRows.Agrees(a.RootElement, c.RootElement));
        Assert.False(JsonRows.Agrees(c.RootElement, a.RootElement));
    }

    [Fact]
    public void Only_elements_of_a_document_are_read_as_rows()
    {
        Assert.False(JsonRows.TryOpen(default, out _, out _));
        Assert.True(JsonRows.TryOpen(Json.Parse("[1]")[0], out _, out int index));
        Assert.Equal(JsonRows.RowSize, index);
    }

    [Fact]
    public void A_disposed_document_is_left_to_the_public_api_which_reports_it()
    {
        var validator = JsonSchemaValidator.Create(Json.Parse("""{"type":"object"}"""));
        var document = JsonDocument.Parse("""{"a":1}""");
        var element = document.RootElement;
        document.Dispose();

        Assert.False(JsonRows.TryOpen(element, out _, out _));
        Assert.Throws<ObjectDisposedException>(() => validator.IsValid(element));
    }

    [Theory]
    [InlineData("""{"type":"object"}""")] // specialised path
    [InlineData("""{"$dynamicAnchor":"a","type":"object"}""")] // interpreter only
    public void An_undefined_element_is_refused_on_every_path(string schema)
    {
        var validator = Json.Validator(schema);

        Assert.Throws<ArgumentException>(() => validator.IsValid(default));
        Assert.Throws<ArgumentException>(() => validator.IsValidCore(default, useRows: false));
        Assert.Throws<ArgumentException>(() => validator.Validate(default));
    }

    [Fact]
    public void Rows_read_before_the_document_is_disposed_are_no_longer_current()
    {
        // A verdict reached on rows stands only while the document still owns them (disposal returns them to a pool).
        var document = JsonDocument.Parse("""{"a":[1,2]}""");
        Assert.True(JsonRows.TryOpen(document.RootElement, out var rows, out _));
        Assert.True(rows.IsCurrent());

        document.Dispose();

        Assert.False(rows.IsCurrent());
    }

    [Theory]
    [MemberData(nameof(ReferenceSchemas))]
    public void Reference_schemas_give_the_same_verdicts_with_rows_and_without(string name)
    {
        var validator = JsonSchemaValidator.Create(Load(name + ".schema.json"));
        foreach (var (file, expected) in new[] { (name + ".valid.json", true), (name + ".invalid.json", false) })
        {
            string text = File.ReadAllText(Path.Combine(SchemasDirectory, file));
            using var document = JsonDocument.Parse(text);
            using var wrapped = JsonDocument.Parse("""{"jsonrpc":"2.0","params":{"name":"t","arguments":""" + text + "}}");
            var inner = wrapped.RootElement.GetProperty("params").GetProperty("arguments");

            foreach (var instance in new[] { document.RootElement, inner, document.RootElement.Clone() })
            {
                Assert.Equal(expected, validator.IsValidCore(instance, useRows: true));
                Assert.Equal(expected, validator.IsValidCore(instance, useRows: false));
                Assert.Equal(expected, validator.Validate(instance).IsValid);
            }
        }
    }

    [Theory]
    // Members in the declared order, in another order, and names that repeat in the schema (the first declaration wins).
    [InlineData("""{"properties":{"a":{"type":"string"},"b":{"type":"integer"},"c":{"enum":["x"]}},"required":["c"]}""", """{"a":"s","b":1,"c":"x"}""", true)]
    [InlineData("""{"properties":{"a":{"type":"string"},"b":{"type":"integer"},"c":{"enum":["x"]}},"required":["c"]}""", """{"c":"x","b":1,"a":"s"}""", true)]
    [InlineData("""{"properties":{"a":{"type":"string"},"b":{"type":"integer"},"c":{"enum":["x"]}},"required":["c"]}""", """{"b":1,"a":2,"c":"x"}""", false)]
    [InlineData("""{"properties":{"a":{"type":"string"},"b":{"type":"integer"},"c":{"enum":["x"]}},"required":["c"]}""", """{"a":"s","b":1}""", false)]
    [InlineData("""{"properties":{"a":{"type":"string"},"a":{"type":"integer"}},"additionalProperties":false}""", """{"a":"s"}""", null)]
    [InlineData("""{"properties":{"a":{"type":"string"},"a":{"type":"integer"}},"additionalProperties":false}""", """{"a":1}""", null)]
    [InlineData("""{"properties":{"longer_than_8":{"type":"string"},"longer_than_9":{"type":"integer"}}}""", """{"longer_than_9":1,"longer_than_8":"s"}""", true)]
    [InlineData("""{"properties":{"longer_than_8":{"type":"string"},"longer_than_9":{"type":"integer"}}}""", """{"longer_than_8":1}""", false)]
    [InlineData("""{"properties":{"a\u0062":{"type":"string"}},"additionalProperties":false}""", """{"ab":"s"}""", true)]
    [InlineData("""{"properties":{"ab":{"type":"string"}},"additionalProperties":false}""", """{"ab":"s","ab":1}""", false)]
    public void Member_lookups_give_the_same_verdicts_with_rows_and_without(string schema, string instance, bool? expected)
    {
        var validator = Json.Validator(schema);
        using var document = JsonDocument.Parse(instance);
        bool verdict = validator.Validate(document.RootElement).IsValid;
        if (expected is { } known)
        {
            Assert.Equal(known, verdict);
        }

        Assert.Equal(verdict, validator.IsValidCore(document.RootElement, useRows: true));
        Assert.Equal(verdict, validator.IsValidCore(document.RootElement, useRows: false));
    }

    [Fact]
    public void Generated_instances_give_the_same_verdicts_with_rows_and_without()
    {
        var validators = new[]
        {
            JsonSchemaValidator.Create(Load("exec.schema.json")),
            Json.Validator("""
                {"type":["object","array"],"properties":{"a":{"type":"string","pattern":"^[a-z]+$","maxLength":3},"é":{"enum":["é","a/b",1]},
                 "b":{"type":"array","items":{"type":["integer","string"],"minimum":-3,"maxLength":2},"maxItems":3}},
                 "propertyNames":{"maxLength":2},"additionalProperties":{"type":["boolean","object","null","number"],"required":["a"]},
                 "items":{"type":"object","properties":{"a\"b":{"const":null},"a\\nb":{"type":"null"}},"additionalProperties":{"not":{"type":"array"}}},"minProperties":1}
                """),
            Json.Validator("""{"$schema":"http://json-schema.org/draft-07/schema#","items":[{"type":"number","maximum":5},{"uniqueItems":true}],"additionalItems":{"type":"string","minLength":2}}"""),
            Json.Validator("""{"prefixItems":[{"type":"number","maximum":5},{"uniqueItems":true}],"items":{"type":"string","minLength":2},"additionalProperties":{"$ref":"#"}}"""),
        };
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(500), Prop.ForAll(Documents, c =>
        {
            string text = c.Value.Render(new Random(c.Seed));
            using var document = JsonDocument.Parse(text);
            using var wrapped = JsonDocument.Parse("[0,{\"x\":" + text + "}]");
            var inner = wrapped.RootElement[1].GetProperty("x");
            foreach (var validator in validators)
            {
                bool expected = validator.Validate(document.RootElement).IsValid;
                foreach (var instance in new[] { document.RootElement, inner })
                {
                    if (validator.IsValidCore(instance, useRows: true) != expected || validator.IsValidCore(instance, useRows: false) != expected)
                    {
                        throw new InvalidOperationException($"verdicts differ for {text} (expected {expected})");
                    }
                }
            }

            return true;
        }));
    }

    private static IEnumerable<JsonElement> Descendants(JsonElement element)
    {
        yield return element;
        var children = element.ValueKind switch
        {
            JsonValueKind.Object => element.EnumerateObject().Select(property => property.Value),
            JsonValueKind.Array => element.EnumerateArray(),
            _ => [],
        };
        foreach (var child in children)
        {
            foreach (var descendant in Descendants(child))
            {
                yield return descendant;
            }
        }
    }

    private static JsonElement Load(string file) => Json.Parse(File.ReadAllText(Path.Combine(SchemasDirectory, file)));

    private static string FindSchemas()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            string candidate = Path.Combine(directory.FullName, "benchmarks", "schemas");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("benchmarks/schemas was not found above the test output directory.");
    }
}
