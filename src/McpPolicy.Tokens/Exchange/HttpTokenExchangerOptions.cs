namespace McpPolicy.Tokens;

/// <summary>Where and as whom <see cref="HttpTokenExchanger"/> exchanges tokens.</summary>
public sealed class HttpTokenExchangerOptions
{
    /// <summary>The authorization server's token endpoint: https, or http on a loopback host. Required.</summary>
    public Uri? TokenEndpoint { get; set; }

    /// <summary>This server's OAuth client id, sent with HTTP Basic authentication when <see cref="ClientSecret"/> is set, else as a form field.</summary>
    public string? ClientId { get; set; }

    /// <summary>This server's client secret, or null for a public client.</summary>
    public string? ClientSecret { get; set; }
}
