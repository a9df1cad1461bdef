namespace McpPolicy.Tokens;

/// <summary>What <see cref="AccessTokenValidator"/> accepts: the issuer, this server's resource, the keys and the limits.</summary>
public sealed class AccessTokenValidationOptions
{
    /// <summary>The default <see cref="Algorithms"/>: every RSA, RSA-PSS and ECDSA algorithm. HMAC is never on by default.</summary>
    public static IReadOnlyList<string> AsymmetricAlgorithms { get; } = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"];

    /// <summary>The issuer (<c>iss</c>) tokens must name, compared exactly. Required.</summary>
    public string Issuer { get; set; } = "";

    /// <summary>This server's canonical resource URI (RFC 8707), such as <c>https://mcp.example.com/mcp</c>: an <c>aud</c> value must name it. Required.</summary>
    public string Resource { get; set; } = "";

    /// <summary>The accepted algorithms. Default: <see cref="AsymmetricAlgorithms"/>. <c>none</c> is never accepted, whatever this says.</summary>
    public IList<string> Algorithms { get; } = [.. AsymmetricAlgorithms];

    /// <summary>The issuer's keys, when configured rather than fetched. Either this or <see cref="KeySource"/> (or a <see cref="SymmetricKey"/>) is required.</summary>
    public JsonWebKeySet? SigningKeys { get; set; }

    /// <summary>Where the issuer's keys come from (such as an <see cref="HttpJsonWebKeySource"/>); takes precedence over <see cref="SigningKeys"/>.</summary>
    public JsonWebKeySource? KeySource { get; set; }

    /// <summary>
    /// A shared secret for HS256/HS384/HS512, for issuers that sign with one. Setting it adds nothing to <see cref="Algorithms"/>:
    /// list the HS algorithm there too. It must be at least as long as the hash (32, 48 or 64 bytes).
    /// </summary>
    public ReadOnlyMemory<byte> SymmetricKey { get; set; }

    /// <summary>How far the clocks of the issuer and this server may disagree when checking <c>exp</c>, <c>nbf</c> and <c>iat</c>. Default: 60 seconds.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Whether the token must carry an <c>exp</c>. Default: true.</summary>
    public bool RequireExpiration { get; set; } = true;

    /// <summary>Whether the header must say <c>typ: at+jwt</c> (RFC 9068), which keeps ID tokens and other JWTs out. Default: false.</summary>
    public bool RequireAccessTokenType { get; set; }

    /// <summary>The longest token accepted, in characters. Default: 16384.</summary>
    public int MaxTokenLength { get; set; } = 16 * 1024;

    /// <summary>
    /// Header parameter names this host understands when a token lists them in <c>crit</c> (RFC 7515 section 4.1.11). A token whose
    /// <c>crit</c> names anything else is refused. Default: empty.
    /// </summary>
    public ISet<string> UnderstoodCriticalHeaders { get; } = new HashSet<string>(StringComparer.Ordinal);
}
