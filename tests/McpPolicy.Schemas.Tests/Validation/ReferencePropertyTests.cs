using FsCheck;
using FsCheck.Fluent;
using McpPolicy.Schemas.Tests.Validation.Reference;
using Xunit.Abstractions;

namespace McpPolicy.Schemas.Tests.Validation;

/// <summary>
/// Compiled validation agrees with a straightforward interpretive evaluation (<see cref="ReferenceValidator"/>, itself
/// checked against the official suite) of the same schema on generated schemas and instances.
/// </summary>
public sealed class ReferencePropertyTests
{
    /// <summary>Raise (e.g. to 20,000) locally to hunt for disagreements.</summary>
    private const int Cases = 2_000;

    private static Arbitrary<SchemaCase> SchemaCases { get; } =
        Arb.From(Gen.Choose(0, int.MaxValue).Select(SchemaGenerator.Create), SchemaGenerator.Shrink);

    private readonly ITestOutputHelper _output;

    public ReferencePropertyTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Compiled_validation_agrees_with_the_reference_interpreter()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(Cases), Prop.ForAll(SchemaCases, Agrees));
    }

    [Fact]
    public void Generated_corpus_has_both_verdicts_often()
    {
        int valid = 0;
        const int Total = 2_000;
        for (int seed = 0; seed < Total; seed++)
        {
            var c = SchemaGenerator.Create(seed);
            if (ReferenceValidator.IsValid(Json.Parse(c.Schema), Json.Parse(c.Instance)))
            {
                valid++;
            }
        }

        _output.WriteLine($"{valid} of {Total} generated instances are valid.");
        Assert.InRange(valid, Total / 5, Total * 4 / 5);
    }

    [Fact]
    public void Generated_schemas_stay_inside_the_reference_subset_and_compile()
    {
        for (int seed = 0; seed < 500; seed++)
        {
            var schema = Json.Parse(SchemaGenerator.Create(seed).Schema);
            Assert.True(ReferenceValidator.Supports(schema), schema.GetRawText());
            _ = JsonSchemaValidator.Create(schema);
        }
    }

    private static bool Agrees(SchemaCase c)
    {
        var schema = Json.Parse(c.Schema);
        var instance = Json.Parse(c.Instance);
        var validator = JsonSchemaValidator.Create(schema);
        bool expected = ReferenceValidator.IsValid(schema, instance);

        // The same instance with some string and name characters written as \uXXXX escapes (the compiled validator reads
        // raw UTF-8 where it can, so escaped text takes its other paths).
        var escaped = Json.Parse(SchemaGenerator.EscapeSome(c.Instance));

        // IsValid reads the document's parse table (JsonRows) where it can: the public-API-only path, and the instance as a
        // member of a larger document (a row that is not the first), must agree too.
        using var wrapped = System.Text.Json.JsonDocument.Parse("{\"pad\":[1,{\"a\":\"b\"}],\"arguments\":" + c.Instance + "}");
        var inner = wrapped.RootElement.GetProperty("arguments");
        return validator.IsValid(instance) == expected && validator.Validate(instance).IsValid == expected
            && validator.IsValid(escaped) == expected && validator.Validate(escaped).IsValid == expected
            && validator.IsValidCore(instance, useRows: false) == expected && validator.IsValidCore(escaped, useRows: false) == expected
            && validator.IsValid(inner) == expected;
    }
}
