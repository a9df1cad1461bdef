using System.Text.Json;
using BenchmarkDotNet.Attributes;
using McpPolicy.Schemas;

namespace McpPolicy.Benchmarks;

/// <summary>
/// Compiling three reference tool schemas (benchmarks/schemas: <c>read_file</c>, a shell <c>exec</c>, a GitHub-style
/// <c>create_issue</c>) and validating a valid and an invalid instance of each. The instances are parsed once: the numbers
/// are the validator's cost only. The same files feed <c>measure-schemas</c> and ajv (benchmarks/compare-ajv.sh).
/// </summary>
[MemoryDiagnoser]
public class SchemaValidationBenchmarks
{
    private JsonElement _schema;
    private JsonElement _valid;
    private JsonElement _invalid;
    private JsonSchemaValidator _validator = null!;

    [Params("read_file", "exec", "create_issue")]
    public string Schema { get; set; } = "read_file";

    [GlobalSetup]
    public void Setup()
    {
        _schema = ReferenceSchemas.Load(Schema, "schema");
        _valid = ReferenceSchemas.Load(Schema, "valid");
        _invalid = ReferenceSchemas.Load(Schema, "invalid");
        _validator = JsonSchemaValidator.Create(_schema);
        if (!_validator.IsValid(_valid) || _validator.IsValid(_invalid) || _validator.Validate(_invalid).IsValid)
        {
            throw new InvalidOperationException($"{Schema}: the valid instance must validate and the invalid one must not");
        }
    }

    /// <summary>
    /// Compiles the schema from scratch: a new <see cref="SchemaRegistry"/> each time, so its validator cache never answers
    /// (<see cref="JsonSchemaValidator.Create"/> would). Includes the size check and the content hash. Translated regular
    /// expressions are cached per process by pattern, so <c>pattern</c> is built once, not per compile.
    /// </summary>
    [Benchmark]
    public JsonSchemaValidator Compile() => new SchemaRegistry().GetValidator(_schema);

    /// <summary><see cref="JsonSchemaValidator.IsValid"/> on the valid instance.</summary>
    [Benchmark]
    public bool IsValidValid() => _validator.IsValid(_valid);

    /// <summary><see cref="JsonSchemaValidator.IsValid"/> on the invalid instance (stops at the first failure).</summary>
    [Benchmark]
    public bool IsValidInvalid() => _validator.IsValid(_invalid);

    /// <summary><see cref="JsonSchemaValidator.Validate"/> on the valid instance: answered by the specialised boolean pass.</summary>
    [Benchmark]
    public SchemaValidationResult ValidateValid() => _validator.Validate(_valid);

    /// <summary><see cref="JsonSchemaValidator.Validate"/> on the invalid instance: every failure, with its messages.</summary>
    [Benchmark]
    public SchemaValidationResult ValidateInvalid() => _validator.Validate(_invalid);
}

/// <summary>The reference schemas and instances, embedded from benchmarks/schemas.</summary>
internal static class ReferenceSchemas
{
    public static readonly string[] Names = ["read_file", "exec", "create_issue"];

    /// <summary>Reads <c>NAME.KIND.json</c> (KIND: schema, valid, invalid) from the embedded copies.</summary>
    public static JsonElement Load(string name, string kind)
    {
        string resource = "schemas/" + name + "." + kind + ".json";
        using var stream = typeof(ReferenceSchemas).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException("missing embedded resource " + resource);
        using var doc = JsonDocument.Parse(stream);
        return doc.RootElement.Clone();
    }

    /// <summary>Reads <c>NAME.KIND.json</c> from <paramref name="dir"/>.</summary>
    public static JsonElement Load(string dir, string name, string kind)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, name + "." + kind + ".json")));
        return doc.RootElement.Clone();
    }
}
