using System.Security.Cryptography;

namespace McpPolicy.Chains;

/// <summary>
/// Fingerprints of tainted result text in one conversation: every distinct window of <see cref="MinLength"/> normalized
/// characters is indexed by a rolling polynomial hash (modulo 2^64, with a random odd base per process), and the text is
/// kept so that a hash hit is confirmed character by character: no false positives from collisions. Memory is bounded by
/// <see cref="Capacity"/> characters; the oldest results go first.
/// </summary>
/// <remarks>
/// An argument contains a fragment of at least <c>minLength</c> characters of a kept text exactly when one of its windows
/// of <c>minLength</c> characters is an indexed window, so a lookup rolls the hash over the argument and probes each
/// window: first a small Bloom filter, then the hash table. Identical windows are
/// indexed once (naming the newest result), so a repetitive result cannot make probes walk long chains. Cost: O(argument
/// length), independent of how much history there is. Not thread-safe; the store serializes access.
/// </remarks>
internal sealed class TaintIndex
{
    // A per-process random odd base: hash values cannot be predicted, so crafted collisions cannot make chains long. The
    // base-independent collisions of polynomial hashing modulo 2^64 (Thue-Morse strings) need windows of 2,048 characters;
    // windows are at most TaintPolicy.MinLengthHighest (256), where such strings agree on at most the low 36 bits, and
    // buckets and the filter use the high bits (after Mix).
    private static readonly ulong Base = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8)) | 1UL | (1UL << 63);

    private readonly ulong _topPower;
    private readonly List<Source> _sources = [];
    private char[] _text = new char[64];
    private int _textLength;
    private ulong[] _hashes = new ulong[64];
    private int[] _positions = new int[64];
    private int[] _next = new int[64];
    private int _count;
    private int[] _buckets = new int[128];
    private int _bucketShift = 64 - 7;
    private ulong[] _filter = new ulong[16];
    private int _filterBits = 10;

    public TaintIndex(int minLength, int capacity)
    {
        MinLength = minLength;
        Capacity = capacity;
        var power = 1UL;
        for (var i = 1; i < minLength; i++)
        {
            power *= Base;
        }

        _topPower = power;
    }

    /// <summary>The window: the shortest fragment that counts.</summary>
    public int MinLength { get; }

    /// <summary>The most normalized characters kept.</summary>
    public int Capacity { get; }

    /// <summary>Normalized characters kept now.</summary>
    public int Length => _textLength;

    /// <summary>Distinct windows indexed now.</summary>
    public int WindowCount => _count;

    /// <summary>Result texts kept now.</summary>
    public int SourceCount => _sources.Count;

    /// <summary>Approximate bytes held by the index's arrays.</summary>
    public long AllocatedBytes => (_text.Length * 2L) + (_hashes.Length * 8L) + (_positions.Length * 4L) + (_next.Length * 4L)
        + (_buckets.Length * 4L) + (_filter.Length * 8L) + (_sources.Capacity * 32L);

    /// <summary>Adds one normalized text taken from the result of <paramref name="call"/>. Texts shorter than the minimum length are skipped.</summary>
    public void Add(ReadOnlySpan<char> normalized, FlowCall call)
    {
        if (normalized.Length < MinLength || Capacity < MinLength)
        {
            return;
        }

        // A text larger than the whole budget keeps its beginning.
        if (normalized.Length > Capacity)
        {
            normalized = normalized[..Capacity];
        }

        if (_textLength + normalized.Length > Capacity)
        {
            Evict(normalized.Length);
        }

        EnsureCapacity(_textLength + normalized.Length);
        var start = _textLength;
        normalized.CopyTo(_text.AsSpan(start));
        _textLength += normalized.Length;
        _sources.Add(new Source(start, normalized.Length, call));
        IndexWindows(start, normalized.Length);
    }

    /// <summary>Finds a fragment of at least <see cref="MinLength"/> characters of a kept text in <paramref name="normalized"/>.</summary>
    /// <returns>The call whose result holds the fragment (the newest, when several do), or null.</returns>
    public FlowCall? Find(ReadOnlySpan<char> normalized)
    {
        var window = MinLength;
        if (normalized.Length < window || _count == 0)
        {
            return null;
        }

        var filter = _filter;
        var filterBits = _filterBits;
        var hash = 0UL;
        for (var i = 0; i < window; i++)
        {
            hash = (hash * Base) + normalized[i] + 1;
        }

        for (var start = 0; ; start++)
        {
            if (MayContain(filter, filterBits, Mix(hash)) && Lookup(hash, normalized.Slice(start, window)) is { } position)
            {
                return _sources[SourceAt(position)].Call;
            }

            var end = start + window;
            if (end >= normalized.Length)
            {
                return null;
            }

            hash = Roll(hash, normalized[start], normalized[end]);
        }
    }

    /// <summary>The position of the indexed window equal to <paramref name="text"/>, or null.</summary>
    private int? Lookup(ulong hash, ReadOnlySpan<char> text)
    {
        for (var e = _buckets[(int)(Mix(hash) >> _bucketShift)] - 1; e >= 0; e = _next[e] - 1)
        {
            if (_hashes[e] == hash && text.SequenceEqual(_text.AsSpan(_positions[e], text.Length)))
            {
                return _positions[e];
            }
        }

        return null;
    }

    private int SourceAt(int position)
    {
        int lo = 0, hi = _sources.Count - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) >> 1;
            if (_sources[mid].Start <= position)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return lo;
    }

    private void IndexWindows(int start, int length)
    {
        var window = MinLength;
        var hash = 0UL;
        for (var i = 0; i < window; i++)
        {
            hash = (hash * Base) + _text[start + i] + 1;
        }

        for (var at = start; ; at++)
        {
            Insert(hash, at);
            var end = at + window;
            if (end >= start + length)
            {
                return;
            }

            hash = Roll(hash, _text[at], _text[end]);
        }
    }

    private void Insert(ulong hash, int position)
    {
        // A window seen before is indexed once, pointing at its newest occurrence.
        var text = _text.AsSpan(position, MinLength);
        for (var e = _buckets[(int)(Mix(hash) >> _bucketShift)] - 1; e >= 0; e = _next[e] - 1)
        {
            if (_hashes[e] == hash && text.SequenceEqual(_text.AsSpan(_positions[e], MinLength)))
            {
                _positions[e] = position;
                return;
            }
        }

        if (_count == _hashes.Length)
        {
            var size = _hashes.Length * 2;
            Array.Resize(ref _hashes, size);
            Array.Resize(ref _positions, size);
            Array.Resize(ref _next, size);
        }

        if (_count * 2 >= _buckets.Length)
        {
            Rehash(_buckets.Length * 2);
        }

        var bucket = (int)(Mix(hash) >> _bucketShift);
        _hashes[_count] = hash;
        _positions[_count] = position;
        _next[_count] = _buckets[bucket];
        _buckets[bucket] = ++_count;
        SetFilter(hash);
    }

    /// <summary>A Bloom filter with two probes and eight bits per bucket's worth of windows: about 5 % false positives when full.</summary>
    private static bool MayContain(ulong[] filter, int bits, ulong mixed)
    {
        var first = mixed >> (64 - bits);
        var second = (mixed << bits) >> (64 - bits);
        return (filter[(int)(first >> 6)] & (1UL << (int)(first & 63))) != 0 && (filter[(int)(second >> 6)] & (1UL << (int)(second & 63))) != 0;
    }

    private void SetFilter(ulong hash)
    {
        var mixed = Mix(hash);
        var first = mixed >> (64 - _filterBits);
        var second = (mixed << _filterBits) >> (64 - _filterBits);
        _filter[(int)(first >> 6)] |= 1UL << (int)(first & 63);
        _filter[(int)(second >> 6)] |= 1UL << (int)(second & 63);
    }

    private void Rehash(int size)
    {
        _buckets = new int[size];
        _bucketShift = 64 - System.Numerics.BitOperations.Log2((uint)size);

        // Eight filter bits per bucket (at most half a bucket per window), so probes of absent windows rarely reach the table.
        _filter = new ulong[size / 8];
        _filterBits = 64 - _bucketShift + 3;
        for (var e = 0; e < _count; e++)
        {
            var bucket = (int)(Mix(_hashes[e]) >> _bucketShift);
            _next[e] = _buckets[bucket];
            _buckets[bucket] = e + 1;
            SetFilter(_hashes[e]);
        }
    }

    /// <summary>Drops the oldest texts until <paramref name="incoming"/> more characters fit within three quarters of the budget (or all are gone), then re-indexes.</summary>
    private void Evict(int incoming)
    {
        var target = Math.Max(0, (Capacity * 3 / 4) - incoming);
        var drop = 0;
        var kept = _textLength;
        while (drop < _sources.Count && kept > target)
        {
            kept -= _sources[drop].Length;
            drop++;
        }

        var shift = drop < _sources.Count ? _sources[drop].Start : _textLength;
        _sources.RemoveRange(0, drop);
        Array.Copy(_text, shift, _text, 0, _textLength - shift);
        _textLength -= shift;
        for (var i = 0; i < _sources.Count; i++)
        {
            _sources[i] = _sources[i] with { Start = _sources[i].Start - shift };
        }

        _count = 0;
        Array.Clear(_buckets);
        Array.Clear(_filter);
        foreach (var s in _sources)
        {
            IndexWindows(s.Start, s.Length);
        }
    }

    private void EnsureCapacity(int length)
    {
        if (length > _text.Length)
        {
            Array.Resize(ref _text, Math.Min(Math.Max(length, _text.Length * 2), Math.Max(Capacity, length)));
        }
    }

    // The last characters of a window reach the high bits of the polynomial hash only through carries: a Fibonacci
    // multiplication spreads them before the high bits pick a bucket.
    private static ulong Mix(ulong hash) => hash * 0x9E3779B97F4A7C15UL;

    private ulong Roll(ulong hash, char outgoing, char incoming) => ((hash - ((outgoing + 1UL) * _topPower)) * Base) + incoming + 1UL;

    private readonly record struct Source(int Start, int Length, FlowCall Call);
}
