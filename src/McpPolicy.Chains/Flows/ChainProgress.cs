namespace McpPolicy.Chains;

/// <summary>
/// How far one chain has got in a conversation: for each prefix of its steps (all but the last), the embedding in the
/// history that starts latest, since the latest start is the one most likely to satisfy a <c>within</c> bound.
/// </summary>
/// <remarks>
/// On each call, for k from the second-to-last prefix down to the second: when the call matches step k and prefix k-1
/// exists, prefix k becomes prefix k-1 plus this call if that starts later. A call matching step 0 starts prefix 0.
/// Going downwards keeps one call from counting for two steps. O(steps) per call, whatever the history's length.
/// </remarks>
internal sealed class ChainProgress
{
    private readonly Prefix?[] _prefixes;

    public ChainProgress(int steps)
    {
        _prefixes = new Prefix?[steps - 1];
    }

    public long AllocatedBytes
    {
        get
        {
            long bytes = 32 + (_prefixes.Length * 8L);
            foreach (var p in _prefixes)
            {
                bytes += p is null ? 0 : 48 + (p.Calls.Length * 32L);
            }

            return bytes;
        }
    }

    /// <summary>The latest-starting embedding of every step but the last, or null when there is none yet.</summary>
    public Prefix? Complete => _prefixes[^1];

    public void Advance(ulong matches, FlowCall call, DateTimeOffset timestamp)
    {
        // The last step is only ever matched by the call being decided, so it is not tracked.
        for (var k = _prefixes.Length - 1; k >= 1; k--)
        {
            if ((matches & (1UL << k)) != 0 && _prefixes[k - 1] is { } before && (_prefixes[k] is not { } current || before.Start > current.Start))
            {
                _prefixes[k] = before.Extend(call);
            }
        }

        if ((matches & 1UL) != 0)
        {
            _prefixes[0] = new Prefix(call.Sequence, timestamp, [call]);
        }
    }

    /// <summary>An embedding of the first steps: the position and time of its first call, and its calls.</summary>
    internal sealed record Prefix(long Start, DateTimeOffset StartTime, FlowCall[] Calls)
    {
        public Prefix Extend(FlowCall call)
        {
            var calls = new FlowCall[Calls.Length + 1];
            Calls.CopyTo(calls, 0);
            calls[^1] = call;
            return this with { Calls = calls };
        }
    }
}
