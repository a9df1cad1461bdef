namespace McpPolicy.Gateway;

/// <summary>An input the user must fix (a missing file, JSON of the wrong shape); the command prints the message and exits with <see cref="ExitCodes.Usage"/>.</summary>
internal sealed class UsageException : Exception
{
    public UsageException(string message)
        : base(message)
    {
    }

    public UsageException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public UsageException()
    {
    }
}
