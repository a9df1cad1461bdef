namespace McpPolicy.Schemas.Validation;

/// <summary>Which keywords a schema resource understands: its dialect plus the vocabularies its metaschema turns on.</summary>
internal sealed class Vocabulary
{
    public const string Draft202012Uri = "https://json-schema.org/draft/2020-12/schema";
    public const string Draft7Uri = "http://json-schema.org/draft-07/schema";
    public const string VocabPrefix = "https://json-schema.org/draft/2020-12/vocab/";

    public static readonly Vocabulary Draft202012 = new(JsonSchemaDialect.Draft202012, true, true, true, false);
    public static readonly Vocabulary Draft7 = new(JsonSchemaDialect.Draft7, true, false, true, false);

    public Vocabulary(JsonSchemaDialect dialect, bool applicator, bool unevaluated, bool validation, bool formatAssertion)
    {
        Dialect = dialect;
        Applicator = applicator;
        Unevaluated = unevaluated;
        Validation = validation;
        FormatAssertion = formatAssertion;
    }

    public JsonSchemaDialect Dialect { get; }

    public bool Applicator { get; }

    public bool Unevaluated { get; }

    public bool Validation { get; }

    /// <summary>The format-assertion vocabulary is required by the metaschema.</summary>
    public bool FormatAssertion { get; }

    public bool IsDraft7 => Dialect == JsonSchemaDialect.Draft7;

    /// <summary>Normalizes a <c>$schema</c> value for comparison (an empty fragment is the same URI).</summary>
    public static string Normalize(string schemaUri) => schemaUri.EndsWith('#') ? schemaUri[..^1] : schemaUri;

    /// <summary>The built-in dialect named by <paramref name="schemaUri"/>, or null.</summary>
    public static Vocabulary? BuiltIn(string schemaUri) => Normalize(schemaUri) switch
    {
        Draft202012Uri => Draft202012,
        Draft7Uri => Draft7,
        _ => null,
    };
}
