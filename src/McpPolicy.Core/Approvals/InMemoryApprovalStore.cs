using System.Collections.Concurrent;

namespace McpPolicy;

/// <summary>
/// The default <see cref="IApprovalStore"/>: grants in memory, per process. Expired grants are dropped when they are met, and
/// every <see cref="SweepInterval"/> grants the whole store is swept, so unused grants cannot pile up.
/// </summary>
public sealed class InMemoryApprovalStore : IApprovalStore
{
    /// <summary>How many grants are recorded between two sweeps of expired ones.</summary>
    public const int SweepInterval = 64;

    private readonly ConcurrentDictionary<string, Entry> _grants = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private int _sinceSweep;

    /// <summary>Creates an empty store.</summary>
    /// <param name="time">The clock used to sweep expired grants; the system clock when null.</param>
    public InMemoryApprovalStore(TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The number of grants currently held (expired ones may still be counted until swept).</summary>
    public int Count => _grants.Count;

    /// <inheritdoc />
    public void Grant(string digest, ApprovalGrant grant, DateTimeOffset expiresAt, bool singleUse)
    {
        ArgumentException.ThrowIfNullOrEmpty(digest);
        ArgumentNullException.ThrowIfNull(grant);
        if (!grant.IsApproved)
        {
            throw new ArgumentException("Only approvals can be stored as grants.", nameof(grant));
        }

        if (!string.Equals(grant.Digest, digest, StringComparison.Ordinal))
        {
            throw new ArgumentException("The grant is bound to a different call digest.", nameof(grant));
        }

        _grants[digest] = new Entry(grant, expiresAt, singleUse);
        if (Interlocked.Increment(ref _sinceSweep) >= SweepInterval)
        {
            Interlocked.Exchange(ref _sinceSweep, 0);
            RemoveExpired(_time.GetUtcNow());
        }
    }

    /// <inheritdoc />
    public bool TryConsume(string digest, DateTimeOffset now, out ApprovalGrant? grant)
    {
        ArgumentNullException.ThrowIfNull(digest);
        grant = null;
        if (!_grants.TryGetValue(digest, out var entry))
        {
            return false;
        }

        if (now >= entry.ExpiresAt)
        {
            _grants.TryRemove(new KeyValuePair<string, Entry>(digest, entry));
            return false;
        }

        // Single-use: only the caller that removes the entry may use it, so two racing calls cannot both pass.
        if (entry.SingleUse && !_grants.TryRemove(new KeyValuePair<string, Entry>(digest, entry)))
        {
            return false;
        }

        grant = entry.Grant;
        return true;
    }

    /// <summary>Drops every grant that has expired by <paramref name="now"/>.</summary>
    /// <param name="now">The current time.</param>
    public void RemoveExpired(DateTimeOffset now)
    {
        foreach (var pair in _grants)
        {
            if (now >= pair.Value.ExpiresAt)
            {
                _grants.TryRemove(pair);
            }
        }
    }

    private sealed record Entry(ApprovalGrant Grant, DateTimeOffset ExpiresAt, bool SingleUse);
}
