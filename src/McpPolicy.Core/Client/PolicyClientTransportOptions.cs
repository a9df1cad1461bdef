using System.Security.Claims;

namespace McpPolicy;

/// <summary>Settings of one <see cref="PolicyClientTransport"/>.</summary>
public sealed class PolicyClientTransportOptions
{
    /// <summary>
    /// Returns the user on whose behalf a call is made; called once per <c>tools/call</c>, on the caller's async path.
    /// Null (the default) means calls carry no principal.
    /// </summary>
    public Func<ClaimsPrincipal?>? Principal { get; set; }

    /// <summary>
    /// How long loading a server's tool list may take when a call needs it (before the host listed tools, or after the
    /// server announced a change). When it does not finish in time, the call is decided with what the catalog holds. Default: 30 seconds.
    /// </summary>
    public TimeSpan CatalogLoadTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The clock for <see cref="CatalogLoadTimeout"/>; null means the one registered in DI, else the system clock.</summary>
    public TimeProvider? TimeProvider { get; set; }
}
