using System.Text.Json;

namespace McpPolicy.Schemas.Tests.Validation;

internal static class Json
{
    /// <summary>Parses JSON, allowing deep nesting (the tests build 10,000-level instances on purpose).</summary>
    public static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 100_000 });
        return document.RootElement.Clone();
    }

    public static JsonSchemaValidator Validator(string schema, JsonSchemaOptions? options = null)
        => new SchemaRegistry(options ?? JsonSchemaOptions.Default).GetValidator(Parse(schema));
}
