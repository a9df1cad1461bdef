namespace McpPolicy;

/// <summary>One problem found in a policy.</summary>
/// <param name="Path">The key that is wrong, as a JSON path such as <c>$.tools[2].risk</c>.</param>
/// <param name="Location">Where it is: file, line and column, or the configuration key; null for policies built in code.</param>
/// <param name="Message">What is wrong and what is expected.</param>
public sealed record PolicyError(string Path, string? Location, string Message)
{
    /// <inheritdoc />
    public override string ToString() => Location is null ? $"{Path}: {Message}" : $"{Path} ({Location}): {Message}";
}
