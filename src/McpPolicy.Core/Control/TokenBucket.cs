using System.Threading.RateLimiting;

namespace McpPolicy.Control;

/// <summary>
/// A token bucket on a <see cref="TimeProvider"/>: holds up to <c>capacity</c> tokens and gains one every <c>refillEvery</c>.
/// The tokens are the permits of a <see cref="ConcurrencyLimiter"/>: taking one holds a lease, and each refill period returns one
/// held lease. (<see cref="TokenBucketRateLimiter"/> measures time with its own stopwatch, even when replenished by hand, so it cannot
/// follow an injected clock; this bucket can, needs no timer, and a manual clock makes its tests deterministic.)
/// </summary>
internal sealed class TokenBucket : IDisposable
{
    private readonly ConcurrencyLimiter _tokens;
    private readonly Queue<RateLimitLease> _taken = new();
    private readonly TimeProvider _time;
    private readonly long _period;
    private readonly Lock _gate = new();
    private long _lastRefill;

    public TokenBucket(int capacity, TimeSpan refillEvery, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(refillEvery, TimeSpan.Zero);
        _time = time;
        _period = Math.Max(1, (long)(refillEvery.TotalSeconds * time.TimestampFrequency));
        _lastRefill = time.GetTimestamp();
        _tokens = new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = capacity, QueueLimit = 0 });
    }

    /// <summary>True when the bucket is full: forgetting it changes nothing, since a new one starts full.</summary>
    public bool IsIdle
    {
        get
        {
            lock (_gate)
            {
                Refill();
                return _taken.Count == 0;
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
            var lease = _tokens.AttemptAcquire(1);
            if (!lease.IsAcquired)
            {
                lease.Dispose();
                return false;
            }

            _taken.Enqueue(lease);
            return true;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            while (_taken.TryDequeue(out var lease))
            {
                lease.Dispose();
            }

            _tokens.Dispose();
        }
    }

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
        for (long i = 0; i < periods && _taken.TryDequeue(out var lease); i++)
        {
            lease.Dispose();
        }
    }
}
