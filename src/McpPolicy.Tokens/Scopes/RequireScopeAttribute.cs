namespace McpPolicy.Tokens;

/// <summary>
/// Declares the OAuth scopes a caller's access token must carry to see and call an MCP server tool:
/// <c>[RequireScope("files:write")]</c> on the tool method, or on its class as the default for every tool in it (the method's
/// attribute replaces the class's). Scopes from matching policy <c>tools</c> entries are required as well.
/// Enforced by <c>WithTokenAuthorization()</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class, AllowMultiple = false, Inherited = true)]
public sealed class RequireScopeAttribute : ToolPolicyAttribute
{
    /// <summary>Declares the required scopes; all of them are required.</summary>
    /// <param name="scopes">One or more RFC 6749 scope tokens, such as <c>files:write</c>.</param>
    /// <exception cref="ArgumentException">No scope is given, or one is empty or contains a space, a double quote or a backslash.</exception>
    public RequireScopeAttribute(params string[] scopes)
    {
        ArgumentNullException.ThrowIfNull(scopes);
        if (scopes.Length == 0)
        {
            throw new ArgumentException("[RequireScope] needs at least one scope.", nameof(scopes));
        }

        foreach (var scope in scopes)
        {
            if (!ScopeToken.IsValid(scope))
            {
                throw new ArgumentException($"'{scope}' is not an OAuth scope token: use printable ASCII without spaces, double quotes or backslashes, one scope per argument.", nameof(scopes));
            }
        }

        Scopes = [.. scopes];
    }

    /// <summary>The required scopes.</summary>
    public IReadOnlyList<string> Scopes { get; }
}
