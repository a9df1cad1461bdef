namespace McpPolicy.Schemas;

/// <summary>A lock file could not be read or verified: it is malformed, inconsistent, or its signature does not match.</summary>
public sealed class CatalogLockException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CatalogLockException()
        : this("The catalog lock file is invalid.")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong.</param>
    public CatalogLockException(string message)
        : base(message)
    {
        Location = "$";
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The cause.</param>
    public CatalogLockException(string message, Exception innerException)
        : base(message, innerException)
    {
        Location = "$";
    }

    /// <summary>Creates the exception with the place in the file that is wrong.</summary>
    /// <param name="location">A JSON path (<c>$.servers.fs.tools.read.hash</c>) or a line and position.</param>
    /// <param name="message">What is wrong and how to fix it.</param>
    /// <param name="innerException">The cause, when any.</param>
    public CatalogLockException(string location, string message, Exception? innerException)
        : base($"{location}: {message}", innerException)
    {
        Location = location;
    }

    /// <summary>Where in the file the problem is: a JSON path, a line and byte position, or <c>$</c> for the whole file.</summary>
    public string Location { get; }
}
