namespace McpPolicy.Schemas;

/// <summary>
/// A schema cannot be compiled: it is malformed, names an unknown <c>$schema</c>, references a schema that is not
/// registered (network references are never fetched), or exceeds a <see cref="JsonSchemaOptions"/> limit.
/// </summary>
public sealed class InvalidSchemaException : Exception
{
    /// <summary>Creates the exception.</summary>
    public InvalidSchemaException()
        : this("The schema is invalid.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What is wrong.</param>
    public InvalidSchemaException(string message)
        : this(message, null)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The cause.</param>
    public InvalidSchemaException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Where in the schema the problem is (<c>#/properties/a/pattern</c>), when known; otherwise empty.</summary>
    public string SchemaLocation { get; private init; } = string.Empty;

    internal static InvalidSchemaException At(string schemaLocation, string message, Exception? innerException = null)
        => new(message + " (at " + schemaLocation + ")", innerException) { SchemaLocation = schemaLocation };
}
