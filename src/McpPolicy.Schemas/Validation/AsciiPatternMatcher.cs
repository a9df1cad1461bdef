using System.Numerics;

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
            return matcher;
        }
        catch (Unsupported)
        {
            return null;
        }
    }

    /// <summary>Searches UTF-8 text that has no JSON escapes.</summary>
    public bool IsMatch(ReadOnlySpan<byte> utf8)
    {
        if (_nullable && (!_anchoredEnd || !_anchoredStart))
        {
            return true;
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

    /// <summary>Searches UTF-16 text.</summary>
    public bool IsMatch(ReadOnlySpan<char> text)
    {
        if (_nullable && (!_anchoredEnd || !_anchoredStart))
        {
            return true;
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
