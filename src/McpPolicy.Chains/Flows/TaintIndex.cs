using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
/// of <c>minLength</c> characters is an indexed window. A lookup does not probe every window: a second Bloom filter holds
/// every shorter <em>probe window</em> of the kept texts (<c>w = ceil(minLength / 2)</c> characters), and the argument is
/// probed only every <c>s = minLength - w + 1</c> characters. Every window of <c>minLength</c> characters contains exactly
/// one probed position's probe window, so when that probe misses, none of the <c>s</c> windows around it can be indexed;
/// when it passes, those windows are looked up exactly as before (their own Bloom filter, then the hash table, then a
/// character-by-character comparison). The windows are tried left to right, so the answer is the same as probing every
/// window. Identical windows are indexed once (naming the newest result), so a repetitive result cannot make probes walk
/// long chains. Cost: O(argument length), independent of how much history there is: about one probe per <c>s</c>
/// characters when nothing matches, at most O(<c>minLength</c>) work per passing probe. Not thread-safe; the store
/// serializes access.
/// </remarks>
internal sealed class TaintIndex
{
    // A per-process random odd base: hash values cannot be predicted, so crafted collisions cannot make chains long. The
    // base-independent collisions of polynomial hashing modulo 2^64 (Thue-Morse strings) need windows of 2,048 characters;
    // windows are at most TaintPolicy.MinLengthHighest (256), where such strings agree on at most the low 36 bits, and
    // buckets and the filter use the high bits (after Mix).
    private static readonly ulong Base = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8)) | 1UL | (1UL << 63);

    // The probe windows' hash starts from a per-process random seed; a probe that passes by chance only costs a lookup.
    private static readonly ulong ProbeSeed = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));

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
    private ulong[] _probeFilter = new ulong[16];
    private int _probeShift = 64 - 4;

    public TaintIndex(int minLength, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minLength, TaintPolicy.MinLengthLowest);
        MinLength = minLength;
        Capacity = capacity;
        var power = 1UL;
        for (var i = 1; i < minLength; i++)
        {
            power *= Base;
        }

        _topPower = power;
        ProbeLength = (minLength + 1) / 2;
        ProbeStride = minLength - ProbeLength + 1;
    }

    /// <summary>The window: the shortest fragment that counts.</summary>
    public int MinLength { get; }

    /// <summary>The length of the probe windows: <c>ceil(MinLength / 2)</c>.</summary>
    public int ProbeLength { get; }

    /// <summary>The distance between probed positions of an argument: <c>MinLength - ProbeLength + 1</c>.</summary>
    public int ProbeStride { get; }

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
        + (_buckets.Length * 4L) + (_filter.Length * 8L) + (_probeFilter.Length * 8L) + (_sources.Capacity * 32L);

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
        AddProbeWindows(start, normalized.Length);
    }

    /// <summary>Finds a fragment of at least <see cref="MinLength"/> characters of a kept text in <paramref name="normalized"/>.</summary>
    /// <returns>The call whose result holds the fragment (the newest, when several do), or null.</returns>
    public FlowCall? Find(ReadOnlySpan<char> normalized)
    {
        var window = MinLength;
        var length = normalized.Length;
        if (length < window || _count == 0)
        {
            return null;
        }

        var probe = ProbeLength;
        var stride = ProbeStride;
        var probeFilter = _probeFilter;
        var probeShift = _probeShift;
        var bytes = MemoryMarshal.AsBytes(normalized);

        // The window starting at q holds the probe window at the one multiple of the stride in [q, q + stride - 1]; the
        // probe at p therefore answers for the windows starting in [p - stride + 1, p], and the groups follow each other.
        for (var p = NextProbe(bytes, 0, stride, probe * 2, probeFilter, probeShift); p >= 0; p = NextProbe(bytes, p + stride, stride, probe * 2, probeFilter, probeShift))
        {
            var first = Math.Max(0, p - stride + 1);
            var last = Math.Min(p, length - window);
            if (first > last)
            {
                continue;
            }

            var hash = 0UL;
            for (var i = first; i < first + window; i++)
            {
                hash = (hash * Base) + normalized[i] + 1;
            }

            for (var start = first; ; start++)
            {
                if (MayContain(_filter, _filterBits, Mix(hash)) && Lookup(hash, normalized.Slice(start, window)) is { } position)
                {
                    return _sources[SourceAt(position)].Call;
                }

                if (start == last)
                {
                    break;
                }

                hash = Roll(hash, normalized[start], normalized[start + window]);
            }
        }

        return null;
    }

    /// <summary>
    /// The first probed position from <paramref name="p"/> on (every <paramref name="stride"/> characters) whose probe window
    /// of <paramref name="probeBytes"/> bytes may be in the probe filter, or -1: the probe loop on its own, so that its few
    /// variables stay in registers. Probe windows of 8 to 16 bytes (minimum lengths 7 to 16) are hashed inline, exactly as
    /// <see cref="ProbeHash"/> does.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int NextProbe(ReadOnlySpan<byte> bytes, int p, int stride, int probeBytes, ulong[] filter, int shift)
    {
        if (probeBytes is < 8 or > 16)
        {
            for (; (p * 2) + probeBytes <= bytes.Length; p += stride)
            {
                if (ProbeMayContain(filter, shift, ProbeHash(bytes.Slice(p * 2, probeBytes))))
                {
                    return p;
                }
            }

            return -1;
        }

        const ulong K1 = 0x9E3779B97F4A7C15UL;
        const ulong K2 = 0xD6E8FEB86659FD93UL;
        var seed = ProbeSeed;
        var tail = probeBytes - 8;
        var last = bytes.Length - probeBytes;
        ref var first = ref MemoryMarshal.GetReference(bytes);
        for (var at = p * 2; at <= last; at += stride * 2)
        {
            // In bounds: at + probeBytes <= bytes.Length, and tail + 8 == probeBytes.
            var h = ((Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref first, at)) ^ seed) * K1)
                + ((Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref first, at + tail)) + seed) * K2);
            h ^= h >> 32;
            var mask = (1UL << (int)(h >> 20)) | (1UL << (int)(h >> 26));
            if ((filter[(int)(h >> shift)] & mask) == mask)
            {
                return at / 2;
            }
        }

        return -1;
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

    /// <summary>
    /// The hash of one probe window of <paramref name="window"/>'s length in bytes (at least 4, at most 512): its 8-byte
    /// words (the last one overlapping when the length is not a multiple of 8) mixed with the random seed and multiplied
    /// by odd constants, independently for windows of up to 16 bytes (the default 12-character minimum probes 6), so the
    /// multiplications run in parallel; the high bits, which pick the filter word, are folded into the low bits that pick
    /// the bits in it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong ProbeHash(ReadOnlySpan<byte> window)
    {
        const ulong K1 = 0x9E3779B97F4A7C15UL;
        const ulong K2 = 0xD6E8FEB86659FD93UL;
        ulong h;
        if (window.Length > 16)
        {
            h = ProbeHashLong(window);
        }
        else if (window.Length >= 8)
        {
            h = ((MemoryMarshal.Read<ulong>(window) ^ ProbeSeed) * K1) + ((MemoryMarshal.Read<ulong>(window[(window.Length - 8)..]) + ProbeSeed) * K2);
        }
        else
        {
            h = ((MemoryMarshal.Read<uint>(window) ^ ProbeSeed) * K1) + ((MemoryMarshal.Read<uint>(window[(window.Length - 4)..]) + ProbeSeed) * K2);
        }

        return h ^ (h >> 32);
    }

    private static ulong ProbeHashLong(ReadOnlySpan<byte> window)
    {
        const ulong K1 = 0x9E3779B97F4A7C15UL;
        const ulong K2 = 0xD6E8FEB86659FD93UL;
        var last = window.Length - 8;
        var h = (MemoryMarshal.Read<ulong>(window[last..]) + ProbeSeed) * K2;
        for (var i = 0; i < last; i += 8)
        {
            h = (h * K2) + ((MemoryMarshal.Read<ulong>(window[i..]) ^ ProbeSeed) * K1);
        }

        return h;
    }

    /// <summary>A blocked Bloom filter: the high bits pick a word, two 6-bit fields below pick two bits in it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool ProbeMayContain(ulong[] filter, int shift, ulong hash)
    {
        var mask = (1UL << (int)(hash >> 20)) | (1UL << (int)(hash >> 26));
        return (filter[(int)(hash >> shift)] & mask) == mask;
    }

    private void AddProbeWindows(int start, int length)
    {
        var filter = _probeFilter;
        var shift = _probeShift;
        var probe = ProbeLength;
        var bytes = MemoryMarshal.AsBytes(_text.AsSpan(0, _textLength));
        for (var at = start; at + probe <= start + length; at++)
        {
            var hash = ProbeHash(bytes.Slice(at * 2, probe * 2));
            filter[(int)(hash >> shift)] |= (1UL << (int)(hash >> 20)) | (1UL << (int)(hash >> 26));
        }
    }

    /// <summary>
    /// Sizes the probe filter at sixteen bits per character the text array can hold (about 1.5 % of absent probe windows
    /// pass when full), and fills it from the kept texts.
    /// </summary>
    private void RebuildProbeFilter()
    {
        var words = (int)Math.Max(16, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)_text.Length) / 4);
        if (words != _probeFilter.Length)
        {
            _probeFilter = new ulong[words];
            _probeShift = 64 - System.Numerics.BitOperations.Log2((uint)words);
        }
        else
        {
            Array.Clear(_probeFilter);
        }

        foreach (var s in _sources)
        {
            AddProbeWindows(s.Start, s.Length);
        }
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

        RebuildProbeFilter();
    }

    private void EnsureCapacity(int length)
    {
        if (length > _text.Length)
        {
            Array.Resize(ref _text, Math.Min(Math.Max(length, _text.Length * 2), Math.Max(Capacity, length)));
            RebuildProbeFilter();
        }
    }

    // The last characters of a window reach the high bits of the polynomial hash only through carries: a Fibonacci
    // multiplication spreads them before the high bits pick a bucket.
    private static ulong Mix(ulong hash) => hash * 0x9E3779B97F4A7C15UL;

    private ulong Roll(ulong hash, char outgoing, char incoming) => ((hash - ((outgoing + 1UL) * _topPower)) * Base) + incoming + 1UL;

    private readonly record struct Source(int Start, int Length, FlowCall Call);
}
