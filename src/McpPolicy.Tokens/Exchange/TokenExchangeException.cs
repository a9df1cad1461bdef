namespace McpPolicy.Tokens;

/// <summary>A token exchange failed: the authorization server refused it (see <see cref="Error"/>) or its answer was unusable.</summary>
public sealed class TokenExchangeException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TokenExchangeException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What failed.</param>
    public TokenExchangeException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The cause.</param>
    public TokenExchangeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for an OAuth error response.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="error">The OAuth error code, such as <c>invalid_target</c>.</param>
    public TokenExchangeException(string message, string? error)
        : base(message)
    {
        Error = error;
    }

    /// <summary>The OAuth error code the authorization server returned (RFC 6749 section 5.2), such as <c>invalid_grant</c>; null when none.</summary>
    public string? Error { get; }
}
