using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace McpPolicy.Tokens;

/// <summary>
/// Remembers (as SHA-256 fingerprints, never the tokens) the access tokens this server accepted, until they expire, so
/// <see cref="TokenPassthroughGuard"/> can refuse to send one of them to another service.
/// </summary>
public sealed class ReceivedTokens
{
    /// <summary>The most fingerprints kept; when full, the ones expiring first are dropped.</summary>
    public const int Capacity = 10_000;

    private readonly ConcurrentDictionary<string, DateTimeOffset> _fingerprints = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    /// <summary>Creates an empty registry.</summary>
    /// <param name="timeProvider">The clock; null for the system clock.</param>
    public ReceivedTokens(TimeProvider? timeProvider = null)
    {
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Records a token this server received (hosts that validate tokens themselves call this).</summary>
    /// <param name="token">The token text.</param>
    /// <param name="expires">When the token expires; it is forgotten after that.</param>
    public void Record(string token, DateTimeOffset expires)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        if (_fingerprints.Count >= Capacity)
        {
            Prune();
        }

        _fingerprints[Fingerprint(token)] = expires;
    }

    /// <summary>True when <paramref name="token"/> is one this server received and it has not expired.</summary>
    /// <param name="token">The token text.</param>
    /// <returns>True for a received token.</returns>
    public bool Contains(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return _fingerprints.TryGetValue(Fingerprint(token), out var expires) && expires > _time.GetUtcNow();
    }

    private void Prune()
    {
        var now = _time.GetUtcNow();
        foreach (var entry in _fingerprints)
        {
            if (entry.Value <= now)
            {
                _fingerprints.TryRemove(entry.Key, out _);
            }
        }

        if (_fingerprints.Count >= Capacity)
        {
            foreach (var entry in _fingerprints.OrderBy(e => e.Value).Take(_fingerprints.Count - (Capacity * 9 / 10)))
            {
                _fingerprints.TryRemove(entry.Key, out _);
            }
        }
    }

    private static string Fingerprint(string token) => Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
