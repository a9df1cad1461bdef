using System.Threading.RateLimiting;

namespace McpPolicy.Control;

/// <summary>
/// A token bucket of <see cref="TokenBucketRateLimiter"/> refilled from a <see cref="TimeProvider"/> rather than from its own timer:
/// one token every <c>refillEvery</c>, up to <c>capacity</c>. No timer per bucket, and tests drive it with a manual clock.
/// </summary>
internal sealed class TokenBucket : IDisposable
{
    private readonly TokenBucketRateLimiter _limiter;
    private readonly TimeProvider _time;
    private readonly int _capacity;
    private readonly long _period;
    private readonly Lock _gate = new();
    private long _lastRefill;

    public TokenBucket(int capacity, TimeSpan refillEvery, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(refillEvery, TimeSpan.Zero);
        _capacity = capacity;
        _time = time;
        _period = Math.Max(1, (long)(refillEvery.TotalSeconds * time.TimestampFrequency));
        _lastRefill = time.GetTimestamp();
        _limiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = capacity,
            TokensPerPeriod = 1,
            ReplenishmentPeriod = refillEvery,
            AutoReplenishment = false,
            QueueLimit = 0,
        });
    }

    /// <summary>True when the bucket is full: forgetting it changes nothing, since a new one starts full.</summary>
    public bool IsIdle
    {
        get
        {
            lock (_gate)
            {
                Refill();
                return _limiter.GetStatistics()!.CurrentAvailablePermits >= _capacity;
            }
        }
    }

    /// <summary>Takes one token if there is one.</summary>
    /// <returns>True when the call is admitted.</returns>
    public bool TryTake()
    {
        lock (_gate)
        {
            Refill();
            using var lease = _limiter.AttemptAcquire(1);
            return lease.IsAcquired;
        }
    }

    public void Dispose() => _limiter.Dispose();

    private void Refill()
    {
        var elapsed = _time.GetTimestamp() - _lastRefill;
        if (elapsed < _period)
        {
            return;
        }

        var periods = elapsed / _period;

        // Keep the refill grid: the remainder of a period counts towards the next token.
        _lastRefill += periods * _period;
        var missing = _capacity - _limiter.GetStatistics()!.CurrentAvailablePermits;
        for (long i = 0; i < Math.Min(periods, missing); i++)
        {
            // Without auto-replenishment, each call adds TokensPerPeriod (one).
            _limiter.TryReplenish();
        }
    }
}
