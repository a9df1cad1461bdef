using System.Text.Json;
using McpPolicy.Schemas.Conformance;
using Xunit.Abstractions;

namespace McpPolicy.Schemas.Tests.Validation.Reference;

/// <summary>The reference interpreter is only a useful oracle if it is itself right: it must pass the official suite for its subset.</summary>
public sealed class ReferenceSuiteTests
{
    private static readonly string[] Files =
    [
        "type", "enum", "const", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength",
        "maxLength", "pattern", "properties", "required", "additionalProperties", "patternProperties", "propertyNames", "items",
        "prefixItems", "minItems", "maxItems", "uniqueItems", "contains", "minContains", "maxContains", "minProperties",
        "maxProperties", "dependentRequired", "allOf", "anyOf", "oneOf", "not", "if-then-else", "boolean_schema",
    ];

    private readonly ITestOutputHelper _output;

    public ReferenceSuiteTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Reference_interpreter_passes_the_official_suite_for_its_subset()
    {
        string? suite = ConformanceSuite.Locate(AppContext.BaseDirectory);
        Assert.True(suite is not null, "The JSON Schema Test Suite is missing: expected ../shared/json-schema-test-suite next to the repository root.");

        int passed = 0;
        var skipped = new List<string>();
        var failures = new List<string>();
        foreach (string file in Files)
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(suite!, "tests", "draft2020-12", file + ".json")));
            foreach (var testCase in document.RootElement.EnumerateArray())
            {
                var schema = testCase.GetProperty("schema");
                string caseName = file + "/" + testCase.GetProperty("description").GetString();
                if (!ReferenceValidator.Supports(schema))
                {
                    skipped.Add(caseName);
                    continue;
                }

                foreach (var test in testCase.GetProperty("tests").EnumerateArray())
                {
                    string id = caseName + "/" + test.GetProperty("description").GetString();
                    bool expected = test.GetProperty("valid").GetBoolean();
                    bool actual = ReferenceValidator.IsValid(schema, test.GetProperty("data"));
                    if (actual == expected)
                    {
                        passed++;
                    }
                    else
                    {
                        failures.Add($"{id}: expected {expected}, reference says {actual}");
                    }
                }
            }
        }

        _output.WriteLine($"{passed} tests passed; {skipped.Count} cases skipped (outside the subset):");
        skipped.ForEach(_output.WriteLine);
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));

        // Guard against the filter silently skipping everything.
        Assert.True(passed >= 400, $"Only {passed} suite tests ran.");
        Assert.True(skipped.Count <= 15, $"{skipped.Count} cases skipped: " + string.Join(", ", skipped));
    }

    [Fact]
    public void Reference_interpreter_handles_the_edges_it_is_trusted_with()
    {
        Assert.True(Check("""{"type":"integer"}""", "1.0"));
        Assert.True(Check("""{"type":"integer"}""", "1e3"));
        Assert.False(Check("""{"type":"integer"}""", "1.5"));
        Assert.True(Check("""{"const":1}""", "1.0"));
        Assert.False(Check("""{"const":1}""", "true"));
        Assert.True(Check("""{"multipleOf":0.1}""", "1.5"));
        Assert.False(Check("""{"multipleOf":1.5}""", "1"));
        Assert.True(Check("""{"maxLength":1}""", "\"\uD83D\uDE00\""));
        Assert.False(Check("""{"uniqueItems":true}""", """[{"a":1,"b":[1]},{"b":[1.0],"a":1}]"""));
        Assert.True(Check("""{"$defs":{"x":{"minimum":2}},"properties":{"a":{"$ref":"#/$defs/x"}}}""", """{"a":3}"""));
        Assert.False(Check("""{"$defs":{"x":{"minimum":2}},"properties":{"a":{"$ref":"#/$defs/x"}}}""", """{"a":1}"""));
        Assert.False(Check("""{"contains":{"const":1},"maxContains":1}""", "[1,1.0]"));
        Assert.True(Check("""{"contains":{"const":1},"minContains":0}""", "[]"));
    }

    private static bool Check(string schema, string instance) => ReferenceValidator.IsValid(Json.Parse(schema), Json.Parse(instance));
}
