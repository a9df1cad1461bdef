namespace McpPolicy.Tokens;

/// <summary>Settings of token authorization in an MCP server (<c>IMcpServerBuilder.WithTokenAuthorization</c>).</summary>
public sealed class TokenAuthorizationOptions
{
    /// <summary>
    /// This server's canonical resource URI (RFC 8707). Every caller's principal must carry an <c>aud</c> claim naming it, whether
    /// the principal comes from <see cref="Validation"/> or from the host (ASP.NET Core authentication). Default: <see cref="Validation"/>'s resource.
    /// </summary>
    public string? Resource { get; set; }

    /// <summary>Whether calls without an authenticated principal for this resource are denied (and all tools hidden). Default: true.</summary>
    public bool RequireAuthenticatedCaller { get; set; } = true;

    /// <summary>How McpPolicy validates tokens it obtains itself (from <see cref="TokenSource"/>); null when the host authenticates.</summary>
    public AccessTokenValidationOptions? Validation { get; set; }

    /// <summary>
    /// For servers without HTTP authentication (stdio, streams): returns the access token to validate and attach as the principal of
    /// every incoming request that has none, such as <see cref="FromEnvironmentVariable"/>. Needs <see cref="Validation"/>.
    /// </summary>
    public Func<IServiceProvider, CancellationToken, ValueTask<string?>>? TokenSource { get; set; }

    /// <summary>The protected resource metadata URL (RFC 9728) put in challenges, or null.</summary>
    public string? ResourceMetadata { get; set; }

    /// <summary>A <see cref="TokenSource"/> that reads the token from an environment variable (read on every request, so it can be rotated).</summary>
    /// <param name="name">The variable name, such as <c>MCP_ACCESS_TOKEN</c>.</param>
    /// <returns>The token source.</returns>
    public static Func<IServiceProvider, CancellationToken, ValueTask<string?>> FromEnvironmentVariable(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return (_, _) => ValueTask.FromResult(Environment.GetEnvironmentVariable(name));
    }
}
