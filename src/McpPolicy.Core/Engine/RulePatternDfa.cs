using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace McpPolicy.Engine;

/// <summary>
/// A rule's <c>pattern</c> compiled to a table DFA when it is written in a small, ASCII-only subset of .NET regular
/// expression syntax; it gives exactly the verdict of <c>Regex.IsMatch</c> (NonBacktracking, CultureInvariant, no other
/// options) and matches the raw UTF-8 of a JSON string without decoding it. A pattern outside the subset is not compiled
/// (<see cref="TryCompile"/> returns null) and keeps the <see cref="System.Text.RegularExpressions.Regex"/>.
/// </summary>
/// <remarks>
/// <para>
/// The subset: printable ASCII literals other than metacharacters; escaped ASCII punctuation (<c>\.</c>, <c>\-</c>,
/// <c>\\</c>, ...); <c>\t \n \r \f \v \e \a</c>; <c>\xHH</c> and <c>\uHHHH</c> naming an ASCII character; <c>.</c>;
/// classes <c>[...]</c> and <c>[^...]</c> of such characters and ranges; groups <c>(...)</c> and <c>(?:...)</c>;
/// alternation; the quantifiers <c>* + ? {n} {n,} {n,m}</c> and their lazy forms (laziness does not change whether
/// there is a match); the anchors <c>^ \A</c> (start), <c>$ \Z</c> (end, or before a final <c>\n</c>) and <c>\z</c> (end),
/// anywhere in the pattern. Everything else (<c>\d \w \s \b \p{..}</c>, which are Unicode-aware, options, lookarounds,
/// backreferences, named groups, class subtraction, non-ASCII characters, anything unusual) is left to the Regex.
/// </para>
/// <para>
/// The alphabet: each UTF-16 code unit below 128 is its own symbol and every other unit is one symbol, "other": no
/// literal or class of the subset names a non-ASCII character, so they all behave alike (matched by <c>.</c> and by
/// negated classes only). In UTF-8 a 2- or 3-byte sequence is one such unit and a 4-byte sequence two (a surrogate pair).
/// </para>
/// <para>
/// Matching needs no timeout, unlike the Regex: it is one table lookup per byte (or character), with no backtracking and
/// no allocation, so its cost is linear in the value's length. A state that stays put on many symbols (the search before a
/// literal, a <c>[A-Z ]+</c> loop) instead finds the next byte that leaves it with a vectorised scan, which is linear too. The table's size is capped at compile time
/// (<see cref="MaxStates"/> states, <see cref="MaxNfaStates"/> automaton nodes before determinisation); a pattern over a
/// cap keeps the Regex.
/// </para>
/// </remarks>
internal sealed class RulePatternDfa
{
    /// <summary>The most DFA states a pattern may need; beyond it the pattern keeps the Regex.</summary>
    internal const int MaxStates = 512;

    /// <summary>The most nodes of the intermediate automaton (repetitions are expanded); beyond it the pattern keeps the Regex.</summary>
    internal const int MaxNfaStates = 1024;

    /// <summary>The largest count in a <c>{n,m}</c> quantifier the subset accepts.</summary>
    internal const int MaxRepeat = 256;

    private const int Symbols = 129;

    /// <summary>A state that stays put on at least this many symbols skips ahead with a vectorised scan.</summary>
    private const int MinSelfLoopSymbols = 8;
    private const int Other = 128;

    // Table offsets (state * Symbols) of the two absorbing states: no match is possible any more, or a match was found.
    private const int DeadOffset = 0;
    private const int MatchOffset = Symbols;

    /// <summary>Per state (as its offset) and symbol, the next state's offset.</summary>
    private readonly int[] _next;

    /// <summary>Per state: the input matches when it ends here.</summary>
    private readonly bool[] _acceptAtEnd;

    /// <summary>Per state: the input matches when its only remaining character is a final <c>\n</c>.</summary>
    private readonly bool[] _acceptBeforeFinalNewline;

    /// <summary>Per skipping state (the states numbered 2 up to <see cref="_ordinaryOffset"/>): how to find the next byte or character that leaves it.</summary>
    private readonly Skip[] _skips;

    /// <summary>The offset of the first state that is neither absorbing nor skipping.</summary>
    private readonly int _ordinaryOffset;

    private readonly int _start;

    private RulePatternDfa(int[] next, bool[] acceptAtEnd, bool[] acceptBeforeFinalNewline, Skip[] skips, int ordinaryOffset, int start)
    {
        _next = next;
        _acceptAtEnd = acceptAtEnd;
        _acceptBeforeFinalNewline = acceptBeforeFinalNewline;
        _skips = skips;
        _ordinaryOffset = ordinaryOffset;
        _start = start;
    }

    /// <summary>The number of states of the table, including the two absorbing ones.</summary>
    public int StateCount => _acceptAtEnd.Length;

    /// <summary>The number of states that skip ahead with a vectorised scan.</summary>
    public int SkippingStateCount => _skips.Length;

    /// <summary>The DFA for <paramref name="pattern"/>, or null when the pattern is outside the subset or over a size cap.</summary>
    public static RulePatternDfa? TryCompile(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var node = new Parser(pattern).ParseWhole();
        if (node is null)
        {
            return null;
        }

        var nfa = new Nfa();
        var (start, end) = nfa.Build(node);
        if (nfa.Overflow)
        {
            return null;
        }

        return Determinise(nfa, start, end);
    }

    /// <summary>
    /// The verdict on a JSON string's raw UTF-8 (without quotes, and without escapes: unescape first). False when it meets
    /// bytes that are not well-formed UTF-8, so the caller decides another way; nothing past <paramref name="utf8"/> is
    /// ever read. Bytes it does not need to look at (after the verdict is certain, or skipped by a state that every
    /// non-ASCII character leaves unchanged) are not checked: there the verdict is the one the decoded text gets, since a
    /// malformed sequence decodes to U+FFFD, which is "other" too.
    /// </summary>
    public bool TryMatch(ReadOnlySpan<byte> utf8, out bool isMatch)
    {
        ref var table = ref MemoryMarshal.GetArrayDataReference(_next);
        var state = _start;
        var end = utf8.Length;
        var finalNewline = end > 0 && utf8[end - 1] == (byte)'\n';
        if (finalNewline)
        {
            end--;
        }

        var i = 0;
        while (i < end)
        {
            if ((uint)state < (uint)_ordinaryOffset)
            {
                if (state <= MatchOffset)
                {
                    isMatch = state == MatchOffset;
                    return true;
                }

                // Bytes that keep the state are skipped; non-ASCII ones only when "other" keeps it, so whole sequences go.
                var leaves = _skips[(state / Symbols) - 2].IndexOfLeaving(utf8[i..end]);
                if (leaves < 0)
                {
                    break;
                }

                i += leaves;
            }

            uint b = utf8[i];
            if (b < 0x80)
            {
                // Every entry is a valid offset and b < Symbols, so the read stays in the table (checked when it was built).
                state = Unsafe.Add(ref table, state + (int)b);
                i++;
                continue;
            }

            var length = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
            if (b < 0xC2 || b > 0xF4 || length > end - i || !Continuations(utf8.Slice(i + 1, length - 1)))
            {
                isMatch = false;
                return false;
            }

            state = Unsafe.Add(ref table, state + Other);
            if (length == 4)
            {
                // A supplementary character is two UTF-16 units (a surrogate pair) to the Regex.
                state = Unsafe.Add(ref table, state + Other);
            }

            i += length;
        }

        isMatch = Accepts(state, finalNewline);
        return true;
    }

    /// <summary>The verdict on a string.</summary>
    public bool IsMatch(ReadOnlySpan<char> text)
    {
        ref var table = ref MemoryMarshal.GetArrayDataReference(_next);
        var state = _start;
        var finalNewline = text.Length > 0 && text[^1] == '\n';
        if (finalNewline)
        {
            text = text[..^1];
        }

        for (var i = 0; i < text.Length; i++)
        {
            if ((uint)state < (uint)_ordinaryOffset)
            {
                if (state <= MatchOffset)
                {
                    return state == MatchOffset;
                }

                var leaves = _skips[(state / Symbols) - 2].IndexOfLeaving(text[i..]);
                if (leaves < 0)
                {
                    break;
                }

                i += leaves;
            }

            var c = text[i];
            state = Unsafe.Add(ref table, state + (c < Other ? c : Other));
        }

        return Accepts(state, finalNewline);
    }

    private bool Accepts(int state, bool finalNewline)
        => finalNewline ? _acceptBeforeFinalNewline[state / Symbols] : _acceptAtEnd[state / Symbols];

    private static bool Continuations(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            if ((b & 0xC0) != 0x80)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Subset construction for the search (a match may start at any position), with the anchors decided exactly.</summary>
    private static RulePatternDfa? Determinise(Nfa nfa, int nfaStart, int accept)
    {
        var classes = SymbolClasses(nfa, out var classCount, out var representative);
        var sets = new List<int[]>();
        var atStart = new List<bool>();
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var closure = new Closure(nfa);

        // Ids 0 and 1 are the absorbing states; their sets are never looked at.
        sets.Add([]);
        atStart.Add(false);
        sets.Add([]);
        atStart.Add(false);
        const int Match = 1;

        int Intern(int[] set, bool initial)
        {
            if (Array.IndexOf(set, accept) >= 0)
            {
                return Match;
            }

            var key = Key(set, initial);
            if (!ids.TryGetValue(key, out var id))
            {
                id = sets.Count;
                ids.Add(key, id);
                sets.Add(set);
                atStart.Add(initial);
            }

            return id;
        }

        var start = Intern(closure.Of([nfaStart], Anchor.Begin), initial: true);
        var transitions = new List<int[]> { new int[classCount], new int[classCount] };
        Array.Fill(transitions[Match], Match);
        var acceptAtEnd = new List<bool> { false, true };
        var acceptBeforeNewline = new List<bool> { false, true };
        var moved = new List<int>();
        for (var id = 2; id < sets.Count; id++)
        {
            if (sets.Count > MaxStates)
            {
                return null;
            }

            var set = sets[id];
            var begin = atStart[id] ? Anchor.Begin : Anchor.None;
            var row = new int[classCount];
            for (var k = 0; k < classCount; k++)
            {
                row[k] = Intern(Step(nfa, closure, set, representative[k], nfaStart, moved), initial: false);
            }

            transitions.Add(row);

            // At the end: $, \Z and \z hold (and ^ too when nothing was read).
            acceptAtEnd.Add(Array.IndexOf(closure.Of(set, begin | Anchor.EndOrFinalNewline | Anchor.End), accept) >= 0);

            // Before a final '\n': $ and \Z hold here; the '\n' may then be read, after which the input ends.
            var beforeNewline = closure.Of(set, begin | Anchor.EndOrFinalNewline);
            var found = Array.IndexOf(beforeNewline, accept) >= 0;
            if (!found)
            {
                var after = Step(nfa, closure, beforeNewline, '\n', nfaStart, moved);
                found = Array.IndexOf(closure.Of(after, Anchor.EndOrFinalNewline | Anchor.End), accept) >= 0;
            }

            acceptBeforeNewline.Add(found);
        }

        if (sets.Count > MaxStates)
        {
            return null;
        }

        // States from which no match is reachable any more all become the dead state, so the matcher can stop early.
        var count = sets.Count;
        var live = new bool[count];
        live[Match] = true;
        for (var changed = true; changed;)
        {
            changed = false;
            for (var id = 2; id < count; id++)
            {
                if (!live[id] && (acceptAtEnd[id] || acceptBeforeNewline[id] || transitions[id].Any(t => live[t])))
                {
                    live[id] = true;
                    changed = true;
                }
            }
        }

        int Target(int id, int symbol)
        {
            var target = id < 2 ? id : transitions[id][classes[symbol]];
            return live[target] ? target : 0;
        }

        // States that stay put on many symbols (a [A-Z ]+ loop, the search before a literal) skip ahead with a vectorised
        // scan; they are numbered right after the two absorbing states so the matcher tells them apart with one comparison.
        var order = new List<int> { 0, 1 };
        var skips = new List<Skip>();
        for (var id = 2; id < count; id++)
        {
            var stay = new bool[Symbols];
            var stays = 0;
            for (var symbol = 0; symbol < Symbols; symbol++)
            {
                stay[symbol] = Target(id, symbol) == id;
                stays += stay[symbol] ? 1 : 0;
            }

            if (live[id] && stays >= MinSelfLoopSymbols)
            {
                order.Add(id);
                skips.Add(new Skip(stay));
            }
        }

        var skipping = order.Count;
        for (var id = 2; id < count; id++)
        {
            if (live[id] && !order.Contains(id))
            {
                order.Add(id);
            }
        }

        var renumbered = new int[count];
        for (var i = 0; i < order.Count; i++)
        {
            renumbered[order[i]] = i;
        }

        var next = new int[order.Count * Symbols];
        var endFlags = new bool[order.Count];
        var newlineFlags = new bool[order.Count];
        for (var i = 0; i < order.Count; i++)
        {
            var id = order[i];
            for (var symbol = 0; symbol < Symbols; symbol++)
            {
                next[(i * Symbols) + symbol] = renumbered[Target(id, symbol)] * Symbols;
            }

            endFlags[i] = acceptAtEnd[id];
            newlineFlags[i] = acceptBeforeNewline[id];
        }

        return new RulePatternDfa(next, endFlags, newlineFlags, [.. skips], skipping * Symbols, renumbered[live[start] ? start : 0] * Symbols);
    }

    /// <summary>The states after reading <paramref name="symbol"/> from <paramref name="set"/>, with a new match starting after it.</summary>
    private static int[] Step(Nfa nfa, Closure closure, int[] set, int symbol, int nfaStart, List<int> moved)
    {
        moved.Clear();
        foreach (var q in set)
        {
            if (nfa.Symbols(q) is { } symbols && symbols[symbol])
            {
                moved.Add(nfa.SymbolTarget(q));
            }
        }

        moved.Add(nfaStart);
        return closure.Of(moved, Anchor.None);
    }

    /// <summary>Symbols no set of the automaton tells apart share one class, so each state computes one step per class.</summary>
    private static int[] SymbolClasses(Nfa nfa, out int classCount, out int[] representative)
    {
        var classes = new int[Symbols];
        classCount = 1;
        for (var q = 0; q < nfa.Count; q++)
        {
            if (nfa.Symbols(q) is not { } symbols)
            {
                continue;
            }

            // Split every class by membership in this set.
            var split = new Dictionary<(int, bool), int>();
            for (var s = 0; s < Symbols; s++)
            {
                var k = (classes[s], symbols[s]);
                if (!split.TryGetValue(k, out var c))
                {
                    c = split.Count;
                    split.Add(k, c);
                }

                classes[s] = c;
            }

            classCount = split.Count;
        }

        representative = new int[classCount];
        for (var s = Symbols - 1; s >= 0; s--)
        {
            representative[classes[s]] = s;
        }

        return classes;
    }

    private static string Key(int[] set, bool initial)
    {
        var builder = new StringBuilder((set.Length * 2) + 1);
        builder.Append(initial ? '^' : '.');
        foreach (var q in set)
        {
            builder.Append((char)(q & 0xFFFF)).Append((char)(q >> 16));
        }

        return builder.ToString();
    }

    /// <summary>
    /// The symbols that keep a state where it is, as a vectorised search for the first one that does not: either the
    /// ASCII symbols that leave (when "other" stays, so every non-ASCII byte or character stays too) or the ASCII
    /// symbols that stay (when "other" leaves).
    /// </summary>
    private sealed class Skip
    {
        private readonly bool _otherStays;
        private readonly SearchValues<byte> _bytes;
        private readonly SearchValues<char> _chars;

        public Skip(bool[] stay)
        {
            _otherStays = stay[Other];
            var ascii = Enumerable.Range(0, Other).Where(c => stay[c] != _otherStays).ToArray();
            _bytes = SearchValues.Create([.. ascii.Select(c => (byte)c)]);
            _chars = SearchValues.Create([.. ascii.Select(c => (char)c)]);
        }

        /// <summary>The index of the first byte that leaves the state, or -1.</summary>
        public int IndexOfLeaving(ReadOnlySpan<byte> utf8) => _otherStays ? utf8.IndexOfAny(_bytes) : utf8.IndexOfAnyExcept(_bytes);

        /// <summary>The index of the first character that leaves the state, or -1.</summary>
        public int IndexOfLeaving(ReadOnlySpan<char> text) => _otherStays ? text.IndexOfAny(_chars) : text.IndexOfAnyExcept(_chars);
    }

    /// <summary>Which anchors an epsilon move may pass.</summary>
    [Flags]
    private enum Anchor
    {
        None = 0,

        /// <summary><c>^</c>, <c>\A</c>: at the start.</summary>
        Begin = 1,

        /// <summary><c>$</c>, <c>\Z</c>: at the end or before a final <c>\n</c>.</summary>
        EndOrFinalNewline = 2,

        /// <summary><c>\z</c>: at the end.</summary>
        End = 4,
    }

    /// <summary>Epsilon closures, sorted, reusing their scratch space.</summary>
    private sealed class Closure(Nfa nfa)
    {
        private readonly bool[] _seen = new bool[nfa.Count];
        private readonly Stack<int> _stack = new();
        private readonly List<int> _members = [];

        public int[] Of(IEnumerable<int> seeds, Anchor allowed)
        {
            _members.Clear();
            foreach (var s in seeds)
            {
                Push(s);
            }

            while (_stack.Count > 0)
            {
                var q = _stack.Pop();
                foreach (var (anchor, target) in nfa.Epsilons(q))
                {
                    if (anchor == Anchor.None || (allowed & anchor) != 0)
                    {
                        Push(target);
                    }
                }
            }

            foreach (var m in _members)
            {
                _seen[m] = false;
            }

            _members.Sort();
            return [.. _members];
        }

        private void Push(int q)
        {
            if (!_seen[q])
            {
                _seen[q] = true;
                _members.Add(q);
                _stack.Push(q);
            }
        }
    }

    /// <summary>A Thompson automaton: each node reads one symbol set or has epsilon moves, some of them guarded by an anchor.</summary>
    private sealed class Nfa
    {
        private readonly List<bool[]?> _symbols = [];
        private readonly List<int> _symbolTargets = [];
        private readonly List<List<(Anchor Anchor, int Target)>> _epsilons = [];

        public int Count => _symbols.Count;

        public bool Overflow { get; private set; }

        public bool[]? Symbols(int q) => _symbols[q];

        public int SymbolTarget(int q) => _symbolTargets[q];

        public List<(Anchor Anchor, int Target)> Epsilons(int q) => _epsilons[q];

        public (int Start, int End) Build(Node node)
        {
            if (Overflow)
            {
                // The automaton is discarded; stop building it.
                return (0, 0);
            }

            switch (node)
            {
                case SetNode set:
                {
                    var s = Add();
                    var e = Add();
                    _symbols[s] = set.Members;
                    _symbolTargets[s] = e;
                    return (s, e);
                }

                case AnchorNode anchor:
                {
                    var s = Add();
                    var e = Add();
                    _epsilons[s].Add((anchor.Kind, e));
                    return (s, e);
                }

                case SequenceNode sequence:
                {
                    var s = Add();
                    var e = s;
                    foreach (var part in sequence.Parts)
                    {
                        var (ps, pe) = Build(part);
                        Link(e, ps);
                        e = pe;
                    }

                    return (s, e);
                }

                case AlternationNode alternation:
                {
                    var s = Add();
                    var e = Add();
                    foreach (var branch in alternation.Branches)
                    {
                        var (bs, be) = Build(branch);
                        Link(s, bs);
                        Link(be, e);
                    }

                    return (s, e);
                }

                case RepeatNode repeat:
                {
                    var s = Add();
                    var e = s;
                    for (var i = 0; i < repeat.Min && !Overflow; i++)
                    {
                        var (cs, ce) = Build(repeat.Child);
                        Link(e, cs);
                        e = ce;
                    }

                    if (repeat.Max < 0)
                    {
                        // A loop: the exit node is also where each further round starts and ends.
                        var loop = Add();
                        Link(e, loop);
                        var (cs, ce) = Build(repeat.Child);
                        Link(loop, cs);
                        Link(ce, loop);
                        return (s, loop);
                    }

                    var exit = Add();
                    for (var i = repeat.Min; i < repeat.Max && !Overflow; i++)
                    {
                        // Each optional round may be skipped straight to the exit.
                        Link(e, exit);
                        var (cs, ce) = Build(repeat.Child);
                        Link(e, cs);
                        e = ce;
                    }

                    Link(e, exit);
                    return (s, exit);
                }

                default:
                    throw new InvalidOperationException("unknown pattern node");
            }
        }

        private void Link(int from, int to) => _epsilons[from].Add((Anchor.None, to));

        private int Add()
        {
            if (Count >= MaxNfaStates)
            {
                Overflow = true;
                return 0;
            }

            _symbols.Add(null);
            _symbolTargets.Add(-1);
            _epsilons.Add([]);
            return Count - 1;
        }
    }

    private abstract class Node;

    private sealed class SetNode(bool[] members) : Node
    {
        public bool[] Members { get; } = members;
    }

    private sealed class AnchorNode(Anchor kind) : Node
    {
        public Anchor Kind { get; } = kind;
    }

    private sealed class SequenceNode(List<Node> parts) : Node
    {
        public List<Node> Parts { get; } = parts;
    }

    private sealed class AlternationNode(List<Node> branches) : Node
    {
        public List<Node> Branches { get; } = branches;
    }

    private sealed class RepeatNode(Node child, int min, int max) : Node
    {
        public Node Child { get; } = child;

        public int Min { get; } = min;

        /// <summary>-1: unbounded.</summary>
        public int Max { get; } = max;
    }

    /// <summary>
    /// A conservative parser: it accepts only syntax whose .NET meaning is certain and returns null for anything else,
    /// including every pattern .NET itself would refuse, so such a pattern reaches the Regex (and its error message).
    /// </summary>
    private sealed class Parser(string pattern)
    {
        private const int MaxDepth = 64;
        private int _position;
        private int _depth;

        public Node? ParseWhole()
        {
            var node = ParseAlternation();
            return node is not null && _position == pattern.Length ? node : null;
        }

        private bool AtEnd => _position >= pattern.Length;

        private char Peek => pattern[_position];

        private Node? ParseAlternation()
        {
            if (++_depth > MaxDepth)
            {
                return null;
            }

            var branches = new List<Node>();
            while (true)
            {
                var branch = ParseSequence();
                if (branch is null)
                {
                    return null;
                }

                branches.Add(branch);
                if (AtEnd || Peek != '|')
                {
                    break;
                }

                _position++;
            }

            _depth--;
            return branches.Count == 1 ? branches[0] : new AlternationNode(branches);
        }

        private SequenceNode? ParseSequence()
        {
            var parts = new List<Node>();
            while (!AtEnd && Peek is not '|' and not ')')
            {
                var (atom, quantifiable) = ParseAtom();
                if (atom is null)
                {
                    return null;
                }

                if (!AtEnd && Peek is '*' or '+' or '?' or '{')
                {
                    if (!quantifiable || !TryParseQuantifier(out var min, out var max))
                    {
                        return null;
                    }

                    atom = new RepeatNode(atom, min, max);
                }

                parts.Add(atom);
            }

            return new SequenceNode(parts);
        }

        private bool TryParseQuantifier(out int min, out int max)
        {
            min = 0;
            max = -1;
            switch (pattern[_position++])
            {
                case '*':
                    break;
                case '+':
                    min = 1;
                    break;
                case '?':
                    max = 1;
                    break;
                default:
                    // '{' : only {n}, {n,} and {n,m}; anything else after '{' is not certain enough.
                    if (!TryParseCount(out min))
                    {
                        return false;
                    }

                    if (!AtEnd && Peek == '}')
                    {
                        max = min;
                    }
                    else if (!AtEnd && Peek == ',')
                    {
                        _position++;
                        if (!AtEnd && Peek != '}' && (!TryParseCount(out max) || max < min))
                        {
                            return false;
                        }
                    }

                    if (AtEnd || Peek != '}')
                    {
                        return false;
                    }

                    _position++;
                    break;
            }

            // A lazy quantifier finds a match exactly when the greedy one does.
            if (!AtEnd && Peek == '?')
            {
                _position++;
            }

            // Two quantifiers in a row are an error in .NET; leave it to the Regex.
            return AtEnd || Peek is not ('*' or '+' or '?' or '{');
        }

        private bool TryParseCount(out int value)
        {
            value = 0;
            var begin = _position;
            while (!AtEnd && char.IsAsciiDigit(Peek) && _position - begin < 5)
            {
                value = (value * 10) + (Peek - '0');
                _position++;
            }

            return _position > begin && value <= MaxRepeat && (AtEnd || !char.IsAsciiDigit(Peek));
        }

        private (Node? Node, bool Quantifiable) ParseAtom()
        {
            var c = pattern[_position++];
            switch (c)
            {
                case '(':
                {
                    if (!AtEnd && Peek == '?')
                    {
                        // Only the non-capturing group; options, lookarounds, named and atomic groups, comments: the Regex.
                        if (_position + 1 < pattern.Length && pattern[_position + 1] == ':')
                        {
                            _position += 2;
                        }
                        else
                        {
                            return (null, false);
                        }
                    }

                    var inner = ParseAlternation();
                    if (inner is null || AtEnd || Peek != ')')
                    {
                        return (null, false);
                    }

                    _position++;
                    return (inner, true);
                }

                case '[':
                    return (ParseClass(), true);
                case '.':
                {
                    var all = Fill(true);
                    all['\n'] = false;
                    return (new SetNode(all), true);
                }

                case '^':
                    return (new AnchorNode(Anchor.Begin), false);
                case '$':
                    return (new AnchorNode(Anchor.EndOrFinalNewline), false);
                case '\\':
                {
                    if (AtEnd)
                    {
                        return (null, false);
                    }

                    switch (Peek)
                    {
                        case 'A':
                            _position++;
                            return (new AnchorNode(Anchor.Begin), false);
                        case 'Z':
                            _position++;
                            return (new AnchorNode(Anchor.EndOrFinalNewline), false);
                        case 'z':
                            _position++;
                            return (new AnchorNode(Anchor.End), false);
                    }

                    var escaped = ParseEscape();
                    return (escaped < 0 ? null : Single(escaped), true);
                }

                case ')' or '|' or '*' or '+' or '?' or '{' or '}' or ']':
                    return (null, false);
                default:
                    return (IsPlainLiteral(c) ? Single(c) : null, true);
            }
        }

        /// <summary>A class: members and ranges of ASCII characters, optionally negated; anything unusual gives null.</summary>
        private SetNode? ParseClass()
        {
            var members = Fill(false);
            var negated = false;
            if (!AtEnd && Peek == '^')
            {
                negated = true;
                _position++;
            }

            var first = true;
            while (true)
            {
                if (AtEnd)
                {
                    return null;
                }

                if (Peek == ']')
                {
                    // "[]" and "[^]" are not an empty class in .NET (']' first is a literal): the Regex decides those.
                    if (first)
                    {
                        return null;
                    }

                    _position++;
                    break;
                }

                var low = ParseClassChar(first);
                if (low < 0)
                {
                    return null;
                }

                first = false;
                var high = low;
                if (!AtEnd && Peek == '-' && _position + 1 < pattern.Length && pattern[_position + 1] != ']')
                {
                    _position++;
                    if (Peek is '-' or '[')
                    {
                        // "[a--]" and the subtraction "[a-z-[aeiou]]": the Regex.
                        return null;
                    }

                    high = ParseClassChar(first: false);
                    if (high < low)
                    {
                        return null;
                    }

                    if (!AtEnd && Peek == '-' && _position + 1 < pattern.Length && pattern[_position + 1] != ']')
                    {
                        // "[a-z-0]": a hyphen right after a range is left to the Regex.
                        return null;
                    }
                }

                for (var m = low; m <= high; m++)
                {
                    members[m] = true;
                }
            }

            if (negated)
            {
                for (var s = 0; s < Symbols; s++)
                {
                    members[s] = !members[s];
                }
            }

            return new SetNode(members);
        }

        /// <summary>One character of a class, or -1. An unescaped '-' only first or right before ']'; an unescaped '[' never.</summary>
        private int ParseClassChar(bool first)
        {
            var c = pattern[_position++];
            switch (c)
            {
                case '\\':
                    return AtEnd ? -1 : ParseEscape();
                case '[':
                    return -1;
                case '-':
                    return first || (!AtEnd && Peek == ']') ? c : -1;
                default:
                    return IsPrintableAscii(c) ? c : -1;
            }
        }

        /// <summary>The character named by the escape after a backslash (which is consumed), or -1 when it is not in the subset.</summary>
        private int ParseEscape()
        {
            var c = pattern[_position++];
            switch (c)
            {
                case 't':
                    return '\t';
                case 'n':
                    return '\n';
                case 'r':
                    return '\r';
                case 'f':
                    return '\f';
                case 'v':
                    return '\v';
                case 'e':
                    return 0x1B;
                case 'a':
                    return 0x07;
                case 'x':
                    return Hex(2);
                case 'u':
                    return Hex(4);
                default:
                    // Escaped punctuation is the character itself; letters, digits and '_' mean other things (\d, \1, \b, ...).
                    return IsPrintableAscii(c) && !char.IsAsciiLetterOrDigit(c) && c != '_' ? c : -1;
            }
        }

        private int Hex(int digits)
        {
            if (pattern.Length - _position < digits
                || !int.TryParse(pattern.AsSpan(_position, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
            {
                return -1;
            }

            _position += digits;
            return value < Other ? value : -1;
        }

        private static bool IsPrintableAscii(char c) => c is >= ' ' and <= '~';

        /// <summary>A printable ASCII character that stands for itself outside a class.</summary>
        private static bool IsPlainLiteral(char c) => IsPrintableAscii(c) && c is not ('\\' or '[' or ']' or '(' or ')' or '{' or '}' or '|' or '*' or '+' or '?' or '.' or '^' or '$');

        private static SetNode Single(int c)
        {
            var members = Fill(false);
            members[c] = true;
            return new SetNode(members);
        }

        private static bool[] Fill(bool value)
        {
            var members = new bool[Symbols];
            Array.Fill(members, value);
            return members;
        }
    }
}
