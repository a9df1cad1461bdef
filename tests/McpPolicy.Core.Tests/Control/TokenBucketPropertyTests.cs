using FsCheck;
using FsCheck.Fluent;
using McpPolicy.Control;
using McpPolicy.Core.Tests.TestSupport;

namespace McpPolicy.Core.Tests.Control;

/// <summary>
/// The token bucket behind <c>perMinute</c>, driven by generated call times on a manual clock: it never admits more than its
/// budget in any window (capacity plus one token per elapsed refill period), and it admits every call when calls come no faster
/// than it refills.
/// </summary>
public sealed class TokenBucketPropertyTests
{
    private static readonly Config Config = Config.QuickThrowOnFailure.WithMaxTest(300);

    /// <summary>A per-minute budget and the gaps (in milliseconds) between consecutive calls, many of them zero (bursts).</summary>
    private static Arbitrary<(int PerMinute, int[] Gaps)> Scenarios =>
        Gen.Choose(1, 30).SelectMany(perMinute =>
            Gen.Frequency(
                (3, Gen.Constant(0)),
                (3, Gen.Choose(1, 5_000)),
                (1, Gen.Choose(5_000, 120_000)))
            .ArrayOf()
            .Select(gaps => (perMinute, gaps)))
        .ToArbitrary();

    [Fact]
    public void Bucket_never_admits_more_than_its_budget_in_any_window()
    {
        Check.One(Config, Prop.ForAll(Scenarios, s =>
        {
            var admitted = Run(s.PerMinute, s.Gaps);
            var period = TimeSpan.FromMinutes(1) / s.PerMinute;
            foreach (var window in new[] { TimeSpan.Zero, period, TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(3) })
            {
                var budget = s.PerMinute + (long)Math.Ceiling(window / period);
                for (var i = 0; i < admitted.Count; i++)
                {
                    var inWindow = 0;
                    for (var j = i; j < admitted.Count && admitted[j] - admitted[i] <= window; j++)
                    {
                        inWindow++;
                    }

                    if (inWindow > budget)
                    {
                        return false;
                    }
                }
            }

            return true;
        }));
    }

    [Fact]
    public void Bucket_admits_a_full_burst_and_then_every_call_spaced_at_least_one_period_apart()
    {
        var arbitrary = Gen.Choose(1, 30).SelectMany(perMinute => Gen.Choose(0, 10_000).ArrayOf().Select(extra => (perMinute, extra))).ToArbitrary();
        Check.One(Config, Prop.ForAll(arbitrary, s =>
        {
            var periodMs = (int)Math.Ceiling(60_000.0 / s.perMinute);
            var gaps = Enumerable.Repeat(0, s.perMinute).Concat(s.extra.Select(e => periodMs + e)).ToArray();
            return Run(s.perMinute, gaps).Count == gaps.Length;
        }));
    }

    [Fact]
    public void Bucket_refuses_the_call_after_a_burst_until_a_token_has_refilled()
    {
        var time = new ManualTimeProvider();
        using var bucket = new TokenBucket(2, TimeSpan.FromSeconds(30), time);

        Assert.True(bucket.TryTake());
        Assert.True(bucket.TryTake());
        Assert.False(bucket.TryTake());
        time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(bucket.TryTake());
        Assert.False(bucket.IsIdle);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(bucket.TryTake());
        Assert.False(bucket.TryTake());
        time.Advance(TimeSpan.FromMinutes(10));
        Assert.True(bucket.IsIdle);
        Assert.True(bucket.TryTake());
        Assert.True(bucket.TryTake());
        Assert.False(bucket.TryTake());
    }

    /// <summary>Calls the bucket at the generated times; returns the times of the admitted calls.</summary>
    private static List<TimeSpan> Run(int perMinute, int[] gaps)
    {
        var time = new ManualTimeProvider();
        using var bucket = new TokenBucket(perMinute, TimeSpan.FromMinutes(1) / perMinute, time);
        var admitted = new List<TimeSpan>();
        var now = TimeSpan.Zero;
        foreach (var gap in gaps)
        {
            time.Advance(TimeSpan.FromMilliseconds(gap));
            now += TimeSpan.FromMilliseconds(gap);
            if (bucket.TryTake())
            {
                admitted.Add(now);
            }
        }

        return admitted;
    }
}
