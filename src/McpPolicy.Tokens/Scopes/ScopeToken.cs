namespace McpPolicy.Tokens;

/// <summary>The syntax of one OAuth scope (RFC 6749 section 3.3).</summary>
internal static class ScopeToken
{
    /// <summary>True for a non-empty run of printable ASCII without space, double quote or backslash.</summary>
    public static bool IsValid(string? scope)
        => !string.IsNullOrEmpty(scope) && !scope.Any(c => c is < '!' or > '~' or '"' or '\\');
}
