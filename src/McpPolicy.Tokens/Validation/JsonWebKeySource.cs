namespace McpPolicy.Tokens;

/// <summary>Where <see cref="AccessTokenValidator"/> gets the issuer's signing keys: a fixed set, or a JWKS endpoint.</summary>
public abstract class JsonWebKeySource
{
    /// <summary>The current keys (from the cache, when the source has one).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The key set.</returns>
    public abstract ValueTask<JsonWebKeySet> GetKeysAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Asked when a token names a key id the current set lacks (the issuer may have rotated its keys). A source that
    /// fetches must rate-limit this, since anyone can send a token with a made-up key id.
    /// </summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The refreshed key set, or the current one when a refresh is not allowed yet.</returns>
    public abstract ValueTask<JsonWebKeySet> RefreshKeysAsync(CancellationToken cancellationToken);

    /// <summary>A source that always answers with <paramref name="keys"/>.</summary>
    /// <param name="keys">The keys.</param>
    /// <returns>The source.</returns>
    public static JsonWebKeySource FromKeys(JsonWebKeySet keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return new StaticJsonWebKeySource(keys);
    }

    private sealed class StaticJsonWebKeySource(JsonWebKeySet keys) : JsonWebKeySource
    {
        public override ValueTask<JsonWebKeySet> GetKeysAsync(CancellationToken cancellationToken) => ValueTask.FromResult(keys);

        public override ValueTask<JsonWebKeySet> RefreshKeysAsync(CancellationToken cancellationToken) => ValueTask.FromResult(keys);
    }
}
