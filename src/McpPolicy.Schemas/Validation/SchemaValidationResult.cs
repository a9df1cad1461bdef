namespace McpPolicy.Schemas;

/// <summary>The outcome of validating one instance: valid, or the errors that explain why not.</summary>
public sealed class SchemaValidationResult
{
    private SchemaValidationResult(bool isValid, IReadOnlyList<SchemaValidationError> errors, bool limitExceeded)
    {
        IsValid = isValid;
        Errors = errors;
        LimitExceeded = limitExceeded;
    }

    /// <summary>Whether the instance is valid.</summary>
    public bool IsValid { get; }

    /// <summary>Why the instance is invalid (at most <see cref="JsonSchemaOptions.MaxErrors"/>); empty when valid.</summary>
    public IReadOnlyList<SchemaValidationError> Errors { get; }

    /// <summary>
    /// Whether validation stopped at a limit (<see cref="JsonSchemaOptions.MaxEvaluationDepth"/> or
    /// <see cref="JsonSchemaOptions.ValidationTimeout"/>); the instance is then treated as invalid and the last error names the limit.
    /// </summary>
    public bool LimitExceeded { get; }

    internal static SchemaValidationResult Valid { get; } = new(true, [], false);

    internal static SchemaValidationResult Invalid(IReadOnlyList<SchemaValidationError> errors, bool limitExceeded) => new(false, errors, limitExceeded);
}
