namespace McpPolicy.Schemas;

/// <summary>A JSON Schema dialect the validator understands.</summary>
public enum JsonSchemaDialect
{
    /// <summary>JSON Schema 2020-12, MCP's default dialect (<c>https://json-schema.org/draft/2020-12/schema</c>).</summary>
    Draft202012 = 0,

    /// <summary>JSON Schema draft-07 (<c>http://json-schema.org/draft-07/schema#</c>).</summary>
    Draft7 = 1,
}
