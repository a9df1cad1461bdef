namespace McpPolicy;

/// <summary>The policy is invalid; nothing of it was applied. Lists every problem with its key and position.</summary>
public sealed class PolicyValidationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PolicyValidationException()
        : this([])
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public PolicyValidationException(string message)
        : base(message)
    {
        Errors = [new PolicyError("$", null, message)];
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public PolicyValidationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [new PolicyError("$", null, message)];
    }

    /// <summary>Creates the exception from a list of problems.</summary>
    /// <param name="errors">The problems.</param>
    public PolicyValidationException(IReadOnlyList<PolicyError> errors)
        : base(Format(errors))
    {
        Errors = errors;
    }

    /// <summary>Every problem found.</summary>
    public IReadOnlyList<PolicyError> Errors { get; }

    private static string Format(IReadOnlyList<PolicyError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        return errors.Count switch
        {
            0 => "The policy is invalid.",
            1 => "The policy is invalid: " + errors[0],
            _ => $"The policy is invalid ({errors.Count} problems):" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", errors),
        };
    }
}
