namespace McpPolicy.Schemas;

/// <summary>One reason an instance failed validation: where in the instance, which keyword at which schema location, and why.</summary>
public sealed class SchemaValidationError
{
    internal SchemaValidationError(string instanceLocation, string schemaLocation, string keyword, string message)
    {
        InstanceLocation = instanceLocation;
        SchemaLocation = schemaLocation;
        Keyword = keyword;
        Message = message;
    }

    /// <summary>The JSON Pointer (RFC 6901) of the failing value in the instance; empty for the instance itself.</summary>
    public string InstanceLocation { get; }

    /// <summary>
    /// The failing keyword's location: <c>#/properties/path/maxLength</c> within the validated schema, or
    /// <c>uri#/pointer</c> within a registered schema or metaschema it references.
    /// </summary>
    public string SchemaLocation { get; }

    /// <summary>
    /// The JSON Schema keyword that failed (<c>type</c>, <c>required</c>, <c>additionalProperties</c>, …; <c>false</c> for a
    /// false schema), or the name of the <see cref="JsonSchemaOptions"/> limit that stopped validation.
    /// </summary>
    public string Keyword { get; }

    /// <summary>A sentence a person or a model can act on, naming the location, e.g. "Value at '/count' must be less than or equal to 10, but is 12."</summary>
    public string Message { get; }

    /// <inheritdoc />
    public override string ToString() => Message + " [" + Keyword + " at " + SchemaLocation + "]";
}
