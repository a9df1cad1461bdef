namespace McpPolicy.Tokens;

/// <summary>Thrown by <see cref="TokenPassthroughGuard"/> when an outgoing request carries a bearer token it must not carry.</summary>
public sealed class TokenPassthroughException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public TokenPassthroughException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What was refused and what to do instead.</param>
    public TokenPassthroughException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What was refused.</param>
    /// <param name="innerException">The cause.</param>
    public TokenPassthroughException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
