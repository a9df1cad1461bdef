namespace McpPolicy.Tokens;

/// <summary>Settings of a <see cref="TokenPassthroughGuard"/>.</summary>
public sealed class TokenPassthroughGuardOptions
{
    /// <summary>
    /// Whether bearer tokens that are not JWTs (so their audience cannot be read) may be sent. Default: false, since the guard
    /// cannot tell where such a token is valid. A token this server received is refused either way.
    /// </summary>
    public bool AllowOpaqueTokens { get; set; }
}
