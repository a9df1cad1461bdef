namespace McpPolicy.Tokens;

/// <summary>
/// Thrown by the <see cref="SsrfSafeHttp"/> handler when a request (or one of its redirects) would reach an address or
/// scheme the guard refuses. Derives from <see cref="HttpRequestException"/>, so existing handling of failed requests sees it.
/// </summary>
public sealed class BlockedDestinationException : HttpRequestException
{
    /// <summary>Creates the exception.</summary>
    public BlockedDestinationException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What was refused and how to allow it if intended.</param>
    public BlockedDestinationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What was refused.</param>
    /// <param name="innerException">The cause.</param>
    public BlockedDestinationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
