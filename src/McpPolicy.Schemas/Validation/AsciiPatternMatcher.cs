using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace McpPolicy.Schemas.Validation;

/// <summary>
/// A fast matcher for the common simple patterns (such as <c>^[A-Za-z0-9._-]+$</c> or <c>^(/[a-z]+)+/?$</c>): ASCII
/// literals and non-negated ASCII classes (<c>\d</c>, <c>\w</c>), groups, alternation and the quantifiers <c>*</c>,
/// <c>+</c>, <c>?</c>, <c>{n}</c>, <c>{n,}</c>, <c>{n,m}</c>, with <c>^</c>/<c>$</c> only at the ends. It simulates the
/// pattern's position automaton (Glushkov, at most 64 positions) with bitmasks, so it runs in linear time like the
/// NonBacktracking engine, on UTF-8 bytes or UTF-16 text. Anything else is left to <see cref="SchemaRegex"/>'s regex.
/// </summary>
internal sealed class AsciiPatternMatcher
{
    private const int MaxPositions = 64;

    private readonly ulong[] _charMask = new ulong[128];
    private readonly ulong[] _follow = new ulong[MaxPositions];
    private ulong _first;
    private ulong _last;
    private bool _nullable;
    private bool _anchoredStart;
    private bool _anchoredEnd;

    // The deterministic automaton of the position sets (subset construction), when it has at most MaxDfaStates states:
    // one table lookup per character instead of a loop over the active positions. State 0 is the start.
    private byte[]? _dfa;
    private bool[] _dfaAccepts = [];
    private byte _dfaNonAscii;
    private int _dfaDead = -1;

    // The same automaton over raw JSON string bytes: 256 columns (every byte at or above 128 leads to the empty set), plus
    // an absorbing, non-accepting state reached on a backslash, which says "escaped text: decode and match again".
    private byte[]? _json;
    private int _jsonEscape;

    // The same table with each target state already multiplied by 256 (its row's offset): a lookup is then one OR and one
    // load, which shortens the chain of dependent lookups that matching a string is.
    private ushort[] _jsonScaled = [];

    private AsciiPatternMatcher()
    {
    }

    /// <summary>A matcher for <paramref name="pattern"/>, or null when the pattern uses anything this matcher does not support.</summary>
    public static AsciiPatternMatcher? TryCreate(string pattern)
    {
        try
        {
            var parser = new Parser(pattern);
            var matcher = new AsciiPatternMatcher();
            int start = 0;
            int end = pattern.Length;
            if (end > 0 && pattern[0] == '^')
            {
                matcher._anchoredStart = true;
                start = 1;
            }

            if (end > start && pattern[end - 1] == '$' && !(end - 2 >= start && pattern[end - 2] == '\\' && !EscapedBackslashBefore(pattern, end - 2, start)))
            {
                matcher._anchoredEnd = true;
                end--;
            }

            var node = parser.Parse(start, end);

            // "^a|b$" anchors each alternative on its own side only: leave a top-level alternation with anchors to the regex.
            if (node is null || (node.Kind == NodeKind.Alternation && (matcher._anchoredStart || matcher._anchoredEnd)))
            {
                return null;
            }

            int positions = 0;
            var (first, last, nullable) = matcher.Build(node, ref positions);
            if (positions > MaxPositions)
            {
                return null;
            }

            matcher._first = first;
            matcher._last = last;
            matcher._nullable = nullable;
            matcher.BuildDfa();
            return matcher;
        }
        catch (Unsupported)
        {
            return null;
        }
    }

    /// <summary>The most states of the deterministic automaton; patterns that need more simulate the position automaton.</summary>
    private const int MaxDfaStates = 128;

    /// <summary>Searches UTF-8 text that has no JSON escapes.</summary>
    public bool IsMatch(ReadOnlySpan<byte> utf8)
    {
        if (_nullable && (!_anchoredEnd || !_anchoredStart))
        {
            return true;
        }

        if (_json is not null)
        {
            return MatchJsonText(utf8) == 1;
        }

        ulong state = 0;
        for (int i = 0; i < utf8.Length; i++)
        {
            byte c = utf8[i];
            ulong mask = c < 128 ? _charMask[c] : 0;
            state = Step(state, i) & mask;
            if (state == 0)
            {
                if (_anchoredStart)
                {
                    return false;
                }
            }
            else if (!_anchoredEnd && (state & _last) != 0)
            {
                return true;
            }
        }

        return _anchoredEnd && ((state & _last) != 0 || (_nullable && utf8.Length == 0));
    }

    /// <summary>
    /// Matches the raw bytes of a JSON string (between the quotes, escapes still written out) on the deterministic
    /// automaton: 1 when it matches, 0 when not, -1 when the answer depends on an escape (then match the decoded text).
    /// A verdict reached before the first backslash stands: the text up to there is the same decoded.
    /// </summary>
    /// <remarks>Compiled fully optimized at once: a tight loop called very often, which is slow for as long as it runs unoptimized.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int MatchJsonText(ReadOnlySpan<byte> raw)
    {
        if (_json is not { } json)
        {
            return raw.Contains((byte)'\\') ? -1 : IsMatch(raw) ? 1 : 0;
        }

        if (_nullable && (!_anchoredEnd || !_anchoredStart))
        {
            return 1;
        }

        ref byte table = ref MemoryMarshal.GetArrayDataReference(json);
        int current = 0;
        int dead = _dfaDead;
        if (_anchoredEnd)
        {
            // Only the final state matters: no acceptance test per byte. A byte that keeps the state (most bytes of a run
            // such as [a-z]+) writes nothing, so the next lookup does not wait for this one: the lookups of a run overlap.
            ref ushort scaled = ref MemoryMarshal.GetArrayDataReference(_jsonScaled);
            int deadScaled = dead << 8; // -256 when there is no dead state: never a row offset.
            foreach (byte c in raw)
            {
                int next = Unsafe.Add(ref scaled, current | c);
                if (next != current)
                {
                    if (next == deadScaled)
                    {
                        return 0;
                    }

                    current = next;
                }
            }

            current >>= 8;
            return current == _jsonEscape ? -1 : _dfaAccepts[current] || (_nullable && raw.Length == 0) ? 1 : 0;
        }

        foreach (byte c in raw)
        {
            current = Unsafe.Add(ref table, (current << 8) | c);
            if (current == dead)
            {
                return 0;
            }

            if (current != _jsonEscape && _dfaAccepts[current])
            {
                return 1;
            }
        }

        return current == _jsonEscape ? -1 : 0;
    }

    /// <summary>Whether the deterministic automaton was built (else matching simulates the position automaton).</summary>
    internal bool HasDfa => _dfa is not null;

    /// <summary>Searches UTF-16 text by simulating the position automaton, as when there is no deterministic one (for tests).</summary>
    internal bool IsMatchByPositions(ReadOnlySpan<char> text) => IsMatch(text, null);

    /// <summary>Searches UTF-16 text.</summary>
    public bool IsMatch(ReadOnlySpan<char> text) => IsMatch(text, _dfa);

    private bool IsMatch(ReadOnlySpan<char> text, byte[]? dfa)
    {
        if (_nullable && (!_anchoredEnd || !_anchoredStart))
        {
            return true;
        }

        if (dfa is not null)
        {
            int current = 0;
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                current = c < 128 ? dfa[(current << 7) | c] : _dfaNonAscii;
                if (current == _dfaDead)
                {
                    return false;
                }

                if (!_anchoredEnd && _dfaAccepts[current])
                {
                    return true;
                }
            }

            return _anchoredEnd && (_dfaAccepts[current] || (_nullable && text.Length == 0));
        }

        ulong state = 0;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            ulong mask = c < 128 ? _charMask[c] : 0;
            state = Step(state, i) & mask;
            if (state == 0)
            {
                if (_anchoredStart)
                {
                    return false;
                }
            }
            else if (!_anchoredEnd && (state & _last) != 0)
            {
                return true;
            }
        }

        return _anchoredEnd && ((state & _last) != 0 || (_nullable && text.Length == 0));
    }

    private static bool EscapedBackslashBefore(string pattern, int backslash, int start)
    {
        // The '$' is escaped when an odd number of backslashes precede it.
        int count = 0;
        for (int i = backslash; i >= start && pattern[i] == '\\'; i--)
        {
            count++;
        }

        return count % 2 == 0;
    }

    /// <summary>
    /// Builds the deterministic automaton over the position sets that <see cref="Step"/> reaches: the start state (before
    /// the first character, where an anchored pattern may still begin) and one state per distinct set after it. A set
    /// that is empty under <c>^</c> is dead (no match can follow); without <c>^</c> the empty set is an ordinary state.
    /// Every character at or above 128 matches no position, so all of them lead to the state of the empty set.
    /// </summary>
    private void BuildDfa()
    {
        var index = new Dictionary<ulong, int>();
        var sets = new List<ulong> { 0 };
        var rows = new List<byte[]>();
        int nonAscii = -1;
        // Characters with the same position mask behave alike: one transition per distinct mask, and the follow set of a
        // state is worked out once (so building costs states × distinct masks lookups, not states × 128 × positions).
        var masks = _charMask.Distinct().ToArray();
        var classOf = _charMask.Select(mask => Array.IndexOf(masks, mask)).ToArray();
        var targets = new int[masks.Length];
        for (int state = 0; state < sets.Count; state++)
        {
            ulong follow = Step(sets[state], state == 0 ? 0 : 1);
            for (int k = 0; k < masks.Length; k++)
            {
                if ((targets[k] = StateOf(follow & masks[k])) < 0)
                {
                    return;
                }
            }

            var row = new byte[128];
            for (int c = 0; c < 128; c++)
            {
                row[c] = (byte)targets[classOf[c]];
            }

            rows.Add(row);
            if (state == 0 && (nonAscii = StateOf(0)) < 0)
            {
                return;
            }
        }

        var dfa = new byte[rows.Count * 128];
        var accepts = new bool[rows.Count];
        for (int state = 0; state < rows.Count; state++)
        {
            rows[state].CopyTo(dfa, state * 128);
            accepts[state] = state != 0 && (sets[state] & _last) != 0;
        }

        int escape = rows.Count;
        var json = new byte[(rows.Count + 1) * 256];
        for (int state = 0; state < rows.Count; state++)
        {
            rows[state].CopyTo(json, state * 256);
            json.AsSpan((state * 256) + 128, 128).Fill((byte)nonAscii);
            json[(state * 256) + '\\'] = (byte)escape;
        }

        json.AsSpan(escape * 256, 256).Fill((byte)escape);

        _dfaAccepts = [.. accepts, false];
        _dfaNonAscii = (byte)nonAscii;
        _dfaDead = _anchoredStart ? index[0] : -1;
        _dfa = dfa;
        _jsonEscape = escape;
        _json = json;
        _jsonScaled = [.. json.Select(state => (ushort)(state << 8))];

        int StateOf(ulong set)
        {
            if (!index.TryGetValue(set, out int state))
            {
                if (sets.Count >= MaxDfaStates)
                {
                    return -1;
                }

                state = sets.Count;
                index[set] = state;
                sets.Add(set);
            }

            return state;
        }
    }

    private ulong Step(ulong state, int index)
    {
        ulong next = index == 0 || !_anchoredStart ? _first : 0;
        while (state != 0)
        {
            next |= _follow[BitOperations.TrailingZeroCount(state)];
            state &= state - 1;
        }

        return next;
    }

    private (ulong First, ulong Last, bool Nullable) Build(Node node, ref int positions)
    {
        switch (node.Kind)
        {
            case NodeKind.Class:
            {
                int p = positions++;
                if (p >= MaxPositions)
                {
                    throw new Unsupported();
                }

                ulong bit = 1UL << p;
                for (int c = 0; c < 128; c++)
                {
                    if ((c < 64 ? (node.Low >> c) & 1 : (node.High >> (c - 64)) & 1) != 0)
                    {
                        _charMask[c] |= bit;
                    }
                }

                return (bit, bit, false);
            }

            case NodeKind.Concat:
            {
                ulong first = 0, last = 0;
                bool nullable = true;
                foreach (var child in node.Children!)
                {
                    var (f, l, n) = Build(child, ref positions);
                    Link(last, f);
                    first |= nullable ? f : 0;
                    last = n ? last | l : l;
                    nullable &= n;
                }

                return (first, last, nullable);
            }

            case NodeKind.Alternation:
            {
                ulong first = 0, last = 0;
                bool nullable = false;
                foreach (var child in node.Children!)
                {
                    var (f, l, n) = Build(child, ref positions);
                    first |= f;
                    last |= l;
                    nullable |= n;
                }

                return (first, last, nullable);
            }

            default:
            {
                // Repeat: Min mandatory copies, then Max - Min optional ones (or a starred copy when unbounded).
                var child = node.Children![0];
                ulong first = 0, last = 0;
                bool nullable = true;
                int copies = node.Max < 0 ? Math.Max(node.Min, 1) : node.Max;
                if (copies > MaxPositions)
                {
                    throw new Unsupported();
                }

                for (int i = 0; i < copies; i++)
                {
                    var (f, l, n) = Build(child, ref positions);
                    bool optional = i >= node.Min;
                    if (node.Max < 0 && i == copies - 1)
                    {
                        // The last copy repeats.
                        Link(l, f);
                    }

                    n |= optional;
                    Link(last, f);
                    first |= nullable ? f : 0;
                    last = n ? last | l : l;
                    nullable &= n;
                }

                return (first, last, nullable);
            }
        }
    }

    private void Link(ulong from, ulong to)
    {
        while (from != 0)
        {
            _follow[BitOperations.TrailingZeroCount(from)] |= to;
            from &= from - 1;
        }
    }

    private enum NodeKind
    {
        Class,
        Concat,
        Alternation,
        Repeat,
    }

    private sealed class Node
    {
        public NodeKind Kind;
        public ulong Low;
        public ulong High;
        public List<Node>? Children;
        public int Min;
        public int Max;

        public static Node Chars(ulong low, ulong high) => new() { Kind = NodeKind.Class, Low = low, High = high };
    }

    private sealed class Unsupported : Exception
    {
    }

    private sealed class Parser(string pattern)
    {
        private const string Punctuation = @".-/\^$*+?()[]{}|";
        private int _i;
        private int _end;

        public Node? Parse(int start, int end)
        {
            _i = start;
            _end = end;
            var node = ParseAlternation();
            return _i == _end ? node : null;
        }

        private Node ParseAlternation()
        {
            var alternatives = new List<Node> { ParseSequence() };
            while (_i < _end && pattern[_i] == '|')
            {
                _i++;
                alternatives.Add(ParseSequence());
            }

            return alternatives.Count == 1 ? alternatives[0] : new Node { Kind = NodeKind.Alternation, Children = alternatives };
        }

        private Node ParseSequence()
        {
            var items = new List<Node>();
            while (_i < _end && pattern[_i] is not '|' and not ')')
            {
                var atom = ParseAtom();
                items.Add(ParseQuantifier(atom));
            }

            return new Node { Kind = NodeKind.Concat, Children = items };
        }

        private Node ParseAtom()
        {
            char c = pattern[_i++];
            switch (c)
            {
                case '(':
                    if (_i + 1 < _end && pattern[_i] == '?')
                    {
                        if (pattern[_i + 1] != ':')
                        {
                            throw new Unsupported();
                        }

                        _i += 2;
                    }

                    var inner = ParseAlternation();
                    if (_i >= _end || pattern[_i] != ')')
                    {
                        throw new Unsupported();
                    }

                    _i++;
                    return inner;
                case '[':
                    return ParseClass();
                case '\\':
                    return ParseEscape(inClass: false);
                case '.' or '^' or '$' or '*' or '+' or '?' or ')' or ']' or '{' or '}':
                    throw new Unsupported();
                default:
                    return Literal(c);
            }
        }

        private Node ParseQuantifier(Node atom)
        {
            if (_i >= _end)
            {
                return atom;
            }

            int min, max;
            switch (pattern[_i])
            {
                case '*':
                    (min, max) = (0, -1);
                    _i++;
                    break;
                case '+':
                    (min, max) = (1, -1);
                    _i++;
                    break;
                case '?':
                    (min, max) = (0, 1);
                    _i++;
                    break;
                case '{':
                    _i++;
                    min = Number();
                    max = min;
                    if (_i < _end && pattern[_i] == ',')
                    {
                        _i++;
                        max = _i < _end && pattern[_i] == '}' ? -1 : Number();
                    }

                    if (_i >= _end || pattern[_i] != '}' || (max >= 0 && max < min))
                    {
                        throw new Unsupported();
                    }

                    _i++;
                    break;
                default:
                    return atom;
            }

            if (_i < _end && pattern[_i] is '?' or '*' or '+' or '{')
            {
                // Lazy or doubled quantifiers: leave them to the regex engine.
                throw new Unsupported();
            }

            return new Node { Kind = NodeKind.Repeat, Children = [atom], Min = min, Max = max };
        }

        private int Number()
        {
            int value = 0;
            int digits = 0;
            while (_i < _end && char.IsAsciiDigit(pattern[_i]))
            {
                value = (value * 10) + (pattern[_i++] - '0');
                if (++digits > 3)
                {
                    throw new Unsupported();
                }
            }

            if (digits == 0)
            {
                throw new Unsupported();
            }

            return value;
        }

        private Node ParseClass()
        {
            ulong low = 0, high = 0;
            if (_i < _end && pattern[_i] == '^')
            {
                throw new Unsupported();
            }

            bool firstItem = true;
            while (true)
            {
                if (_i >= _end)
                {
                    throw new Unsupported();
                }

                char c = pattern[_i];
                if (c == ']' && !firstItem)
                {
                    _i++;
                    break;
                }

                firstItem = false;
                int from = ClassChar(out var set);
                if (set is not null)
                {
                    low |= set.Low;
                    high |= set.High;
                    continue;
                }

                if (_i + 1 < _end && pattern[_i] == '-' && pattern[_i + 1] != ']')
                {
                    _i++;
                    int to = ClassChar(out var toSet);
                    if (toSet is not null || to < from)
                    {
                        throw new Unsupported();
                    }

                    for (int x = from; x <= to; x++)
                    {
                        Add(ref low, ref high, x);
                    }
                }
                else
                {
                    Add(ref low, ref high, from);
                }
            }

            return Node.Chars(low, high);
        }

        private int ClassChar(out Node? set)
        {
            set = null;
            char c = pattern[_i++];
            if (c == '\\')
            {
                var escaped = ParseEscape(inClass: true);
                if (BitOperations.PopCount(escaped.Low) + BitOperations.PopCount(escaped.High) != 1)
                {
                    set = escaped;
                    return -1;
                }

                return escaped.Low != 0 ? BitOperations.TrailingZeroCount(escaped.Low) : 64 + BitOperations.TrailingZeroCount(escaped.High);
            }

            if (c is < ' ' or > '~' or '[' or ']')
            {
                throw new Unsupported();
            }

            return c;
        }

        private Node ParseEscape(bool inClass)
        {
            if (_i >= _end)
            {
                throw new Unsupported();
            }

            char e = pattern[_i++];
            ulong low = 0, high = 0;
            switch (e)
            {
                case 'd':
                    AddRange(ref low, ref high, '0', '9');
                    break;
                case 'w':
                    AddRange(ref low, ref high, '0', '9');
                    AddRange(ref low, ref high, 'A', 'Z');
                    AddRange(ref low, ref high, 'a', 'z');
                    Add(ref low, ref high, '_');
                    break;
                default:
                    if (!Punctuation.Contains(e, StringComparison.Ordinal) || (inClass && e is '(' or ')' or '{' or '}' or '|' or '*' or '+' or '?' or '$'))
                    {
                        throw new Unsupported();
                    }

                    Add(ref low, ref high, e);
                    break;
            }

            return Node.Chars(low, high);
        }

        private static Node Literal(char c)
        {
            if (c is < ' ' or > '~')
            {
                throw new Unsupported();
            }

            ulong low = 0, high = 0;
            Add(ref low, ref high, c);
            return Node.Chars(low, high);
        }

        private static void AddRange(ref ulong low, ref ulong high, char from, char to)
        {
            for (int x = from; x <= to; x++)
            {
                Add(ref low, ref high, x);
            }
        }

        private static void Add(ref ulong low, ref ulong high, int c)
        {
            if (c < 64)
            {
                low |= 1UL << c;
            }
            else
            {
                high |= 1UL << (c - 64);
            }
        }
    }
}
