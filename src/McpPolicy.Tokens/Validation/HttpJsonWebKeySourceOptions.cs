namespace McpPolicy.Tokens;

/// <summary>Cache and refresh settings of an <see cref="HttpJsonWebKeySource"/>.</summary>
public sealed class HttpJsonWebKeySourceOptions
{
    /// <summary>How long a fetched key set is used before it is fetched again. Default: 1 hour.</summary>
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long after a fetch (or failed attempt) a token naming an unknown key id may cause the next fetch. Default: 5 minutes.
    /// Protects the issuer and this server from a flood of tokens with made-up key ids.
    /// </summary>
    public TimeSpan MinRefreshInterval { get; set; } = TimeSpan.FromMinutes(5);
}
