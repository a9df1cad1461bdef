using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;
using McpPolicy.Json;

namespace McpPolicy.Schemas.Validation;

/// <summary>
/// The boolean ("is it valid?") validation path: a compiled schema graph specialised once, when the validator is built,
/// into nodes that each check their whole keyword set in one method — the type, then the string, number, object or
/// array checks fused for the instance's kind — instead of one virtual call per keyword behind a depth, stack and scope
/// check per subschema.
/// </summary>
/// <remarks>
/// <para>
/// Fused: <c>type</c>; <c>minLength</c>/<c>maxLength</c>/<c>pattern</c> when the pattern has an ASCII matcher (run on the
/// raw UTF-8 bytes); <c>enum</c>/<c>const</c> strings (a frozen hash table over UTF-8 bytes); number bounds that are
/// integers (exact on 64-bit integers, on doubles except when the double equals the bound); <c>properties</c> +
/// <c>additionalProperties</c> + <c>required</c> + <c>propertyNames</c> + <c>min</c>/<c>maxProperties</c> in one pass over
/// the members with a frozen name table on UTF-8 names; <c>prefixItems</c>/<c>items</c> + <c>min</c>/<c>maxItems</c> +
/// <c>uniqueItems</c> (short arrays of strings) in one pass over the items. String leaves are inlined into those loops.
/// </para>
/// <para>
/// Exactness: anything else — a string with escapes, a pattern that needs the regex engine, an asserted format, a number
/// the fast comparison cannot decide, <c>uniqueItems</c>, applicators, references — is handed to the generic keyword
/// (<see cref="Keyword.Evaluate"/>) or node (<see cref="SchemaNode.Evaluate"/>), so the verdict is always the interpreter's.
/// Nodes with <c>unevaluatedProperties</c>/<c>unevaluatedItems</c> stay generic, and validators that use the dynamic scope
/// (<c>$dynamicRef</c>) do not use this path at all.
/// </para>
/// <para>
/// Reading the instance: when <see cref="JsonRows.IsAvailable"/> (a one-time self-check against the public API passed),
/// the nodes walk the <see cref="JsonDocument"/>'s own parse table — one row per token with its text's location and
/// length, member or item count, escapes flag and extent — instead of calling the public <see cref="JsonElement"/> API per
/// value; each generic hand-back gets the public element of the same row. Otherwise, or for a disposed document, the same
/// checks run on the public API (<see cref="IsValid(JsonElement, ValidationState)"/>). Both give the same verdicts.
/// </para>
/// <para>
/// Limits: every specialised node counts a step (<see cref="ValidationState.Step"/>: the time limit is checked every 64
/// steps); specialised nesting stops at <see cref="MaxNesting"/> levels, below which nodes are generic again, so the
/// recursion here is bounded by the schema and the generic path keeps its own depth and stack checks.
/// </para>
/// </remarks>
internal sealed class FastNode
{
    /// <summary>Specialised nodes nest at most this deep; deeper subschemas are evaluated by the generic interpreter.</summary>
    public const int MaxNesting = 32;

    private static readonly FastNode s_true = new(Kind.True, null, string.Empty);
    private static readonly FastNode s_false = new(Kind.False, null, string.Empty);

    private readonly Kind _kind;
    private readonly SchemaNode? _generic;
    private readonly string _location;
    private SchemaTypes _types;
    private int _kinds = -1;
    private bool _integers;
    private StringCheck? _string;
    private EnumCheck? _enum;
    private NumberCheck? _number;
    private ObjectCheck? _object;
    private ArrayCheck? _array;
    private Keyword[] _others = [];
    private bool _stringLeaf;

    private FastNode(Kind kind, SchemaNode? generic, string location)
    {
        _kind = kind;
        _generic = generic;
        _location = location;
    }

    private enum Kind
    {
        True,
        False,
        Generic,
        Specialised,
    }

    /// <summary>Whether this node has its own checks (rather than being true, false or a generic node).</summary>
    public bool IsSpecialised => _kind == Kind.Specialised;

    /// <summary>Specialises <paramref name="node"/> and what it contains, up to <see cref="MaxNesting"/> levels.</summary>
    public static FastNode Build(SchemaNode node) => Build(node, 0);

    /// <summary>
    /// Whether some string here has only a <c>maxLength</c>: such a bound is met by every string of an instance whose whole
    /// JSON text is no longer (a string's code points are at most its bytes), so the caller then passes the instance's byte
    /// length as <see cref="ValidationState.InstanceBytes"/> and those strings are not read at all.
    /// </summary>
    public bool UsesInstanceBytes()
        => _string is { MaxOnly: true }
            || (_object?.Children.Any(child => child?.UsesInstanceBytes() == true) ?? false)
            || (_array?.Children.Any(child => child?.UsesInstanceBytes() == true) ?? false);

    /// <summary>Whether <paramref name="instance"/> is valid; a limit makes it false and is recorded on <paramref name="state"/>.</summary>
    public bool IsValid(JsonElement instance, ValidationState state)
    {
        if (_kind != Kind.Specialised)
        {
            return _kind == Kind.True || (_kind == Kind.Generic && _generic!.Evaluate(state, instance, default));
        }

        if (!state.Step(_location))
        {
            return false;
        }

        var valueKind = instance.ValueKind;
        if (((_kinds >> (int)valueKind) & 1) == 0 && !(_integers && valueKind == JsonValueKind.Number && IsInteger(JsonMarshal.GetRawUtf8Value(instance), instance)))
        {
            return false;
        }

        switch (valueKind)
        {
            case JsonValueKind.String:
                if ((_string is not null || _enum is not null) && !(_enum is null && _string!.MaxOnly && _string.MaxLength >= state.InstanceBytes))
                {
                    // The text between the quotes, escapes still written out.
                    var raw = JsonMarshal.GetRawUtf8Value(instance)[1..^1];
                    if (_string is not null && !_string.IsValid(raw, instance, state))
                    {
                        return false;
                    }

                    if (_enum is not null && !_enum.IsValidString(raw, instance, state))
                    {
                        return false;
                    }
                }

                break;
            case JsonValueKind.Number:
                if (_number is not null && !_number.IsValid(JsonMarshal.GetRawUtf8Value(instance), instance, state))
                {
                    return false;
                }

                goto default;
            case JsonValueKind.Object:
                if (_object is not null && !_object.IsValid(instance, state))
                {
                    return false;
                }

                goto default;
            case JsonValueKind.Array:
                if (_array is not null && !_array.IsValid(instance, state))
                {
                    return false;
                }

                goto default;
            default:
                if (_enum is not null && !_enum.IsValidOther(instance, state))
                {
                    return false;
                }

                break;
        }

        foreach (var keyword in _others)
        {
            if (!keyword.Evaluate(state, instance, default))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// <see cref="IsValid(JsonElement, ValidationState)"/> for a node that only accepts strings and has only string checks (the common leaf), small enough
    /// to be inlined into the object and array loops.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool IsValidStringLeaf(JsonElement instance, ValidationState state)
    {
        if (instance.ValueKind != JsonValueKind.String || !state.Step(_location))
        {
            return false;
        }

        if ((_string is null && _enum is null) || (_enum is null && _string!.MaxOnly && _string.MaxLength >= state.InstanceBytes))
        {
            return true;
        }

        var raw = JsonMarshal.GetRawUtf8Value(instance)[1..^1];
        int verdict = _string is null ? 1 : _string.Check(raw);
        if (verdict == 1 && _enum is not null)
        {
            verdict = _enum.Check(raw);
        }

        return verdict == 1 || (verdict < 0 && IsValidEscaped(instance, state));
    }

    /// <summary>A string whose escapes leave the string or enum check undecided: the keywords decode it.</summary>
    private bool IsValidEscaped(JsonElement instance, ValidationState state)
        => (_string is null || _string.Keyword.Evaluate(state, instance, default)) && (_enum is null || _enum.Keyword.Evaluate(state, instance, default));

    /// <summary>Evaluates a child: string leaves inline, true without a call.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsValidChild(FastNode child, JsonElement instance, ValidationState state)
        => child._stringLeaf ? child.IsValidStringLeaf(instance, state) : child._kind == Kind.True || child.IsValid(instance, state);

    /// <summary>
    /// <see cref="IsValid(JsonElement, ValidationState)"/> on the document's parse table (<see cref="JsonRows"/>): the same
    /// checks in the same order, reading each value's row once; anything the table does not decide (escaped names, the
    /// generic keywords) is handed the public element for the same row.
    /// </summary>
    public bool IsValid(scoped in JsonRows rows, int index, ValidationState state) => IsValid(rows, index, rows[index], state);

    private bool IsValid(scoped in JsonRows rows, int index, JsonRows.Row row, ValidationState state)
    {
        if (_kind != Kind.Specialised)
        {
            return _kind == Kind.True || (_kind == Kind.Generic && _generic!.Evaluate(state, rows.Element(index), default));
        }

        if (!state.Step(_location))
        {
            return false;
        }

        var valueKind = row.ValueKind;
        if (((_kinds >> (int)valueKind) & 1) == 0
            && !(_integers && valueKind == JsonValueKind.Number && (TryParseInt64(rows.Text(row), out _) || JsonNumber.Of(rows.Element(index)).IsInteger)))
        {
            return false;
        }

        switch (valueKind)
        {
            case JsonValueKind.String:
                if (_string is not null || _enum is not null)
                {
                    var raw = rows.Text(row);
                    int verdict = _string is null ? 1 : _string.Check(raw);
                    if (verdict < 0)
                    {
                        verdict = _string!.Keyword.Evaluate(state, rows.Element(index), default) ? 1 : 0;
                    }

                    if (verdict == 1 && _enum is not null && (verdict = _enum.Check(raw, rows.Prefix(row), row.HasEscapes)) < 0)
                    {
                        verdict = _enum.Keyword.Evaluate(state, rows.Element(index), default) ? 1 : 0;
                    }

                    if (verdict == 0)
                    {
                        return false;
                    }
                }

                break;
            case JsonValueKind.Number:
                if (_number is not null && _number.CheckInteger(rows.Text(row)) is int bounds and not 1
                    && (bounds == 0 || !_number.IsValidOther(rows.Element(index), state)))
                {
                    return false;
                }

                goto default;
            case JsonValueKind.Object:
                if (_object is not null && !_object.IsValid(rows, index, row, state))
                {
                    return false;
                }

                goto default;
            case JsonValueKind.Array:
                if (_array is not null && !_array.IsValid(rows, index, row, state))
                {
                    return false;
                }

                goto default;
            default:
                if (_enum is not null && !_enum.IsValidOther(rows.Element(index), state))
                {
                    return false;
                }

                break;
        }

        if (_others.Length > 0)
        {
            var instance = rows.Element(index);
            foreach (var keyword in _others)
            {
                if (!keyword.Evaluate(state, instance, default))
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary><see cref="IsValidStringLeaf(JsonElement, ValidationState)"/> on a row: the length is in the row, so no string is skipped unread.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool IsValidStringLeaf(scoped in JsonRows rows, int index, JsonRows.Row row, ValidationState state)
    {
        if (row.TokenType != JsonTokenType.String || !state.Step(_location))
        {
            return false;
        }

        if (_string is null && _enum is null)
        {
            return true;
        }

        var raw = rows.Text(row);
        int verdict = _string is null ? 1 : _string.Check(raw);
        if (verdict == 1 && _enum is not null)
        {
            verdict = _enum.Check(raw, rows.Prefix(row), row.HasEscapes);
        }

        return verdict == 1 || (verdict < 0 && IsValidEscaped(rows.Element(index), state));
    }

    /// <summary>Evaluates a child on its row: string leaves inline, true without a call.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsValidChild(FastNode child, scoped in JsonRows rows, int index, JsonRows.Row row, ValidationState state)
        => child._stringLeaf ? child.IsValidStringLeaf(rows, index, row, state) : child._kind == Kind.True || child.IsValid(rows, index, row, state);

    /// <summary>An integer is any number with a zero fraction (1.0 and 1e3 too): plain digits decide it cheaply.</summary>
    private static bool IsInteger(ReadOnlySpan<byte> raw, JsonElement number)
        => TryParseInt64(raw, out _) || JsonNumber.Of(number).IsInteger;

    /// <summary>Reads a number written as plain decimal digits that fit a <see cref="long"/>.</summary>
    private static bool TryParseInt64(ReadOnlySpan<byte> raw, out long value)
        => Utf8Parser.TryParse(raw, out value, out int consumed) && consumed == raw.Length;


    /// <summary>The <c>type</c> as a bit per <see cref="JsonValueKind"/>; numbers that must be integers are checked apart.</summary>
    private void SetTypes(SchemaTypes types)
    {
        _types = types;
        int kinds = 0;
        if ((types & SchemaTypes.Null) != 0)
        {
            kinds |= 1 << (int)JsonValueKind.Null;
        }

        if ((types & SchemaTypes.Boolean) != 0)
        {
            kinds |= (1 << (int)JsonValueKind.True) | (1 << (int)JsonValueKind.False);
        }

        if ((types & SchemaTypes.Object) != 0)
        {
            kinds |= 1 << (int)JsonValueKind.Object;
        }

        if ((types & SchemaTypes.Array) != 0)
        {
            kinds |= 1 << (int)JsonValueKind.Array;
        }

        if ((types & SchemaTypes.String) != 0)
        {
            kinds |= 1 << (int)JsonValueKind.String;
        }

        if ((types & SchemaTypes.Number) != 0)
        {
            kinds |= 1 << (int)JsonValueKind.Number;
        }

        _kinds = kinds;
        _integers = (types & SchemaTypes.Integer) != 0 && (types & SchemaTypes.Number) == 0;
    }

    private static FastNode Build(SchemaNode node, int nesting)
    {
        if (node.IsFalse)
        {
            return s_false;
        }

        if (node.Keywords.Length == 0)
        {
            return s_true;
        }

        if (node.TracksEvaluation || nesting >= MaxNesting)
        {
            return new FastNode(Kind.Generic, node, node.Location);
        }

        var fast = new FastNode(Kind.Specialised, null, node.Location);
        var others = new List<Keyword>();
        var objectCheck = new ObjectCheck();
        var arrayCheck = new ArrayCheck();
        bool hasObject = false;
        bool hasArray = false;
        foreach (var keyword in node.Keywords)
        {
            switch (keyword)
            {
                case TypeKeyword type when fast._types == SchemaTypes.None:
                    fast.SetTypes(type.Types);
                    break;
                case StringKeyword text when fast._string is null && StringCheck.TryCreate(text) is { } check:
                    fast._string = check;
                    break;
                case EnumKeyword enumeration when fast._enum is null && enumeration.Utf8Strings.Count > 0:
                    fast._enum = new EnumCheck(enumeration);
                    break;
                case NumberKeyword number when fast._number is null:
                    fast._number = new NumberCheck(number);
                    break;
                case PropertiesKeyword properties when !properties.HasPatterns && !objectCheck.HasProperties:
                    objectCheck.SetProperties(properties, nesting);
                    hasObject = true;
                    break;
                case RequiredKeyword required when required.IsPlain && objectCheck.RequiredNames.Count == 0:
                    objectCheck.RequiredNames.AddRange(required.Names.Distinct(StringComparer.Ordinal));
                    hasObject = true;
                    break;
                case PropertyNamesKeyword names when objectCheck.Names is null && NameCheck.TryCreate(names.Schema) is { } nameCheck:
                    objectCheck.Names = nameCheck;
                    hasObject = true;
                    break;
                case PropertyCountKeyword count:
                    objectCheck.Limit(count.IsMin, count.Limit);
                    hasObject = true;
                    break;
                case ItemsKeyword items when !arrayCheck.HasItems:
                    arrayCheck.SetItems(items, nesting);
                    hasArray = true;
                    break;
                case ArrayLengthKeyword length:
                    arrayCheck.Limit(length.IsMin, length.Limit);
                    hasArray = true;
                    break;
                case UniqueItemsKeyword unique when arrayCheck.Unique is null:
                    arrayCheck.Unique = unique;
                    hasArray = true;
                    break;
                default:
                    others.Add(keyword);
                    break;
            }
        }

        if (hasObject)
        {
            objectCheck.Freeze();
            fast._object = objectCheck;
        }

        if (hasArray)
        {
            fast._array = arrayCheck;
        }

        fast._others = [.. others];
        fast._stringLeaf = fast._kinds == 1 << (int)JsonValueKind.String && !fast._integers && others.Count == 0 && !hasObject && !hasArray;
        return fast;
    }

    /// <summary>
    /// A frozen open-addressing table of UTF-8 strings (member names, enum strings). A lookup reads the first eight bytes as
    /// one number, hashes it with the length, and compares the length and those bytes as integers (and the rest of a longer
    /// name as bytes): no decoding, no allocation.
    /// </summary>
    private sealed class NameTable
    {
        private readonly byte[][] _names;
        private readonly int[] _lengths;
        private readonly ulong[] _prefixes;
        private readonly int[] _buckets;
        private readonly int _mask;
        private readonly bool _distinct;

        public NameTable(IReadOnlyList<byte[]> names)
        {
            _names = [.. names];
            _lengths = [.. names.Select(n => n.Length)];
            _prefixes = [.. names.Select(n => JsonRows.PrefixOf(n))];
            int size = 4;
            while (size < names.Count * 2)
            {
                size <<= 1;
            }

            _buckets = new int[size];
            _mask = size - 1;
            _distinct = true;
            for (int i = 0; i < _names.Length; i++)
            {
                if (Find(_names[i]) >= 0)
                {
                    _distinct = false;
                    continue; // A repeated name: the first one wins, as in the generic keywords.
                }

                int bucket = Hash(_prefixes[i], _lengths[i]) & _mask;
                while (_buckets[bucket] != 0)
                {
                    bucket = (bucket + 1) & _mask;
                }

                _buckets[bucket] = i + 1;
                HasBackslash |= _names[i].AsSpan().Contains((byte)'\\');
            }
        }

        public int Count => _names.Length;

        /// <summary>A name contains a backslash (so a byte match of a raw JSON name does not prove equality).</summary>
        public bool HasBackslash { get; }

        /// <summary>The index of <paramref name="utf8"/> (unescaped UTF-8), or -1.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Find(ReadOnlySpan<byte> utf8) => Find(utf8, JsonRows.PrefixOf(utf8));

        /// <summary>
        /// <see cref="Find(ReadOnlySpan{byte}, ulong)"/> trying entry <paramref name="expected"/> first: members usually come
        /// in the order the schema declares them, so the entry after the previous member's is compared before hashing. Only
        /// when no name repeats (else the first of the equal names must win, as the hash lookup ensures).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Find(ReadOnlySpan<byte> utf8, ulong prefix, int expected)
        {
            if ((uint)expected < (uint)_prefixes.Length && _distinct && _prefixes[expected] == prefix && _lengths[expected] == utf8.Length
                && (utf8.Length <= 8 || utf8[8..].SequenceEqual(_names[expected].AsSpan(8))))
            {
                return expected;
            }

            return Find(utf8, prefix);
        }

        /// <summary>The index of <paramref name="utf8"/> whose <see cref="JsonRows.PrefixOf"/> the caller already has, or -1.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Find(ReadOnlySpan<byte> utf8, ulong prefix)
        {
            int length = utf8.Length;
            int bucket = Hash(prefix, length) & _mask;
            while (true)
            {
                int entry = _buckets[bucket] - 1;
                if (entry < 0)
                {
                    return -1;
                }

                if (_prefixes[entry] == prefix && _lengths[entry] == length && (length <= 8 || utf8[8..].SequenceEqual(_names[entry].AsSpan(8))))
                {
                    return entry;
                }

                bucket = (bucket + 1) & _mask;
            }
        }

        /// <summary>The index of a member name that has escapes, compared after unescaping (rare, so a scan).</summary>
        public int FindEscaped(JsonProperty property)
        {
            for (int i = 0; i < _names.Length; i++)
            {
                if (property.NameEquals(_names[i]))
                {
                    return i;
                }
            }

            return -1;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static int Hash(ulong prefix, int length) => (int)(((prefix ^ (uint)length) * 0x9E3779B97F4A7C15UL) >> 40);
    }

    /// <summary>
    /// <c>minLength</c>/<c>maxLength</c>/<c>pattern</c> on raw UTF-8 without escapes: the byte count bounds the code point
    /// count from above (and a twelfth of it from below), so most strings are never counted; the pattern runs on the
    /// bytes. Strings with escapes go to the generic keyword.
    /// </summary>
    private sealed class StringCheck
    {
        private readonly StringKeyword _keyword;
        private readonly long _min;
        private readonly long _max;
        private readonly AsciiPatternMatcher? _matcher;

        private StringCheck(StringKeyword keyword, AsciiPatternMatcher? matcher)
        {
            _keyword = keyword;
            _min = keyword.MinLength;
            _max = keyword.MaxLength;
            _matcher = matcher;
        }

        public static StringCheck? TryCreate(StringKeyword keyword)
        {
            if (keyword.HasFormat)
            {
                return null;
            }

            if (keyword.Pattern is { } pattern)
            {
                return pattern.Fast is { } matcher ? new StringCheck(keyword, matcher) : null;
            }

            return new StringCheck(keyword, null);
        }

        /// <summary>The keyword, for escaped text the bytes cannot decide.</summary>
        public StringKeyword Keyword => _keyword;

        /// <summary>Only a <c>maxLength</c> (no <c>minLength</c>, no pattern).</summary>
        public bool MaxOnly => _min == 0 && _matcher is null && _max < long.MaxValue;

        /// <summary>The <c>maxLength</c>.</summary>
        public long MaxLength => _max;

        /// <summary>Checks a string value by its raw text (between the quotes); escaped text the bytes cannot decide goes to the keyword.</summary>
        public bool IsValid(ReadOnlySpan<byte> raw, JsonElement instance, ValidationState state)
            => Check(raw) switch
            {
                1 => true,
                0 => false,
                _ => _keyword.Evaluate(state, instance, default),
            };

        /// <summary>
        /// Checks raw string text (escapes written out): 1 valid, 0 invalid, -1 when an escape leaves the pattern undecided.
        /// A code point takes 1 to 4 bytes, and an escape 2 to 12 for one code point, so the byte count bounds the length
        /// from both sides and only strings near a bound are counted (escapes decoded).
        /// </summary>
        public int Check(ReadOnlySpan<byte> raw)
        {
            long bytes = raw.Length;
            if (bytes > _max || bytes < _min || (_min > 0 && (bytes + 11) / 12 < _min))
            {
                long length = JsonText.CountCodePoints(raw);
                if (length < _min || length > _max)
                {
                    return 0;
                }
            }

            return _matcher is null ? 1 : _matcher.MatchJsonText(raw);
        }
    }

    /// <summary><c>enum</c>/<c>const</c> with at least one string candidate: strings by UTF-8 bytes, anything else by the keyword.</summary>
    private sealed class EnumCheck
    {
        private readonly EnumKeyword _keyword;
        private readonly NameTable _strings;
        private readonly bool _stringsOnly;

        public EnumCheck(EnumKeyword keyword)
        {
            _keyword = keyword;
            _strings = new NameTable(keyword.Utf8Strings);
            _stringsOnly = keyword.StringsOnly;
        }

        /// <summary>The keyword, for escaped text the bytes cannot decide.</summary>
        public EnumKeyword Keyword => _keyword;

        /// <summary>Checks a string value by its raw text: a byte match is exact unless a candidate has a backslash; a miss is only final without escapes.</summary>
        public bool IsValidString(ReadOnlySpan<byte> raw, JsonElement instance, ValidationState state)
            => Check(raw) switch
            {
                1 => true,
                0 => false,
                _ => _keyword.Evaluate(state, instance, default),
            };

        /// <summary><see cref="Check(ReadOnlySpan{byte})"/> with the text's prefix and escapes flag read from its row.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Check(ReadOnlySpan<byte> raw, ulong prefix, bool hasEscapes)
        {
            bool found = _strings.Find(raw, prefix) >= 0;
            if (found && !_strings.HasBackslash)
            {
                return 1;
            }

            return hasEscapes ? -1 : found ? 1 : 0;
        }

        /// <summary>Checks raw string text: 1 listed, 0 not, -1 when escapes leave it undecided.</summary>
        public int Check(ReadOnlySpan<byte> raw)
        {
            bool found = _strings.Find(raw) >= 0;
            if (found && !_strings.HasBackslash)
            {
                return 1;
            }

            return raw.Contains((byte)'\\') ? -1 : found ? 1 : 0;
        }

        public bool IsValidOther(JsonElement instance, ValidationState state) => !_stringsOnly && _keyword.Evaluate(state, instance, default);
    }

    /// <summary>
    /// Number bounds written as integers (|limit| ≤ 2^53) compared on the instance's <see cref="long"/> exactly, or on its
    /// <see cref="double"/> when that differs from every limit (rounding is monotonic, so a strict comparison of the double
    /// is the exact one). Everything else (<c>multipleOf</c>, other limits, ties, huge numbers) goes to the generic keyword.
    /// </summary>
    private sealed class NumberCheck
    {
        private const long MaxExactDouble = 1L << 53;

        private readonly NumberKeyword _keyword;
        private readonly (long Limit, int AllowedSign, bool Inclusive)[]? _bounds;

        public NumberCheck(NumberKeyword keyword)
        {
            _keyword = keyword;
            if (keyword.HasMultipleOf)
            {
                return;
            }

            var bounds = new List<(long, int, bool)>();
            foreach (var (name, limit) in keyword.Bounds)
            {
                if (!long.TryParse(limit.Text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out long value)
                    || value > MaxExactDouble || value < -MaxExactDouble)
                {
                    return;
                }

                bounds.Add(name switch
                {
                    "minimum" => (value, 1, true),
                    "exclusiveMinimum" => (value, 1, false),
                    "maximum" => (value, -1, true),
                    _ => (value, -1, false),
                });
            }

            _bounds = [.. bounds];
        }

        /// <summary>The bounds on a number written as plain digits that fit a <see cref="long"/>: 1 valid, 0 invalid, -1 undecided here.</summary>
        public int CheckInteger(ReadOnlySpan<byte> raw)
        {
            if (_bounds is not { } bounds || !TryParseInt64(raw, out long integer))
            {
                return -1;
            }

            foreach (var (limit, allowedSign, inclusive) in bounds)
            {
                int comparison = integer.CompareTo(limit);
                if (comparison != allowedSign && !(comparison == 0 && inclusive))
                {
                    return 0;
                }
            }

            return 1;
        }

        public bool IsValid(ReadOnlySpan<byte> raw, JsonElement instance, ValidationState state)
            => CheckInteger(raw) switch
            {
                1 => true,
                0 => false,
                _ => IsValidOther(instance, state),
            };

        /// <summary>A number <see cref="CheckInteger"/> leaves undecided: on its double away from the bounds, else by the keyword.</summary>
        public bool IsValidOther(JsonElement instance, ValidationState state)
        {
            if (_bounds is { } bounds)
            {
                if (instance.TryGetDouble(out double value) && double.IsFinite(value))
                {
                    bool decided = true;
                    foreach (var (limit, allowedSign, _) in bounds)
                    {
                        if (value == limit)
                        {
                            decided = false;
                            break;
                        }

                        if ((value < limit ? -1 : 1) != allowedSign)
                        {
                            return false;
                        }
                    }

                    if (decided)
                    {
                        return true;
                    }
                }
            }

            return _keyword.Evaluate(state, instance, default);
        }
    }

    /// <summary>
    /// <c>propertyNames</c> whose schema has only string keywords (<c>type</c>, lengths, an ASCII-matcher pattern,
    /// string <c>enum</c>/<c>const</c>): names without escapes are checked on their UTF-8 bytes, others decoded as the
    /// generic keyword does.
    /// </summary>
    private sealed class NameCheck
    {
        private readonly Keyword[] _keywords;
        private readonly bool _stringAllowed;
        private readonly StringCheck? _string;
        private readonly EnumCheck? _enum;

        private NameCheck(Keyword[] keywords, bool stringAllowed, StringCheck? text, EnumCheck? enumeration)
        {
            _keywords = keywords;
            _stringAllowed = stringAllowed;
            _string = text;
            _enum = enumeration;
        }

        public static NameCheck? TryCreate(SchemaNode schema)
        {
            if (schema.IsFalse || schema.TracksEvaluation)
            {
                return null;
            }

            bool stringAllowed = true;
            StringCheck? text = null;
            EnumCheck? enumeration = null;
            foreach (var keyword in schema.Keywords)
            {
                switch (keyword)
                {
                    case TypeKeyword type:
                        stringAllowed &= (type.Types & SchemaTypes.String) != 0;
                        break;
                    case StringKeyword s when text is null && StringCheck.TryCreate(s) is { } check:
                        text = check;
                        break;
                    case EnumKeyword e when enumeration is null && e.Utf8Strings.Count > 0:
                        enumeration = new EnumCheck(e);
                        break;
                    case EnumKeyword e when enumeration is null:
                        stringAllowed = false; // No string candidate: no name can match.
                        break;
                    default:
                        return null;
                }
            }

            return new NameCheck(schema.Keywords, stringAllowed, text, enumeration);
        }

        public bool IsValid(ReadOnlySpan<byte> raw, ValidationState state)
        {
            if (!_stringAllowed)
            {
                return false;
            }

            int verdict = _string is null ? 1 : _string.Check(raw);
            if (verdict == 1 && _enum is not null)
            {
                verdict = _enum.Check(raw);
            }

            return verdict == 1 || (verdict < 0 && IsValidEscaped(raw, state));
        }

        private bool IsValidEscaped(ReadOnlySpan<byte> raw, ValidationState state)
        {
            char[]? rented = null;
            Span<char> buffer = raw.Length <= JsonText.StackLimit ? stackalloc char[JsonText.StackLimit] : (rented = ArrayPool<char>.Shared.Rent(raw.Length));
            var name = buffer[..JsonText.Decode(raw, buffer)];
            bool valid = true;
            foreach (var keyword in _keywords)
            {
                if (!keyword.EvaluateString(state, name))
                {
                    valid = false;
                    break;
                }
            }

            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }

            return valid;
        }
    }

    /// <summary>
    /// The object keywords in one pass over the members: each name is looked up once in a table of the declared and the
    /// required names, which gives its subschema (or none: then <c>additionalProperties</c> applies) and its required bit.
    /// Up to 64 required names are one <see cref="ulong"/> of bits; more are a bitmap of one bit per required name, on the
    /// stack up to <see cref="StackWords"/> words and rented above, so the check stays one pass for any number of names.
    /// </summary>
    private sealed class ObjectCheck
    {
        /// <summary>Bitmap words (64 required names each) kept on the stack; larger bitmaps are rented.</summary>
        private const int StackWords = 32;

        private readonly List<byte[]> _tableNames = [];
        private readonly List<FastNode?> _tableChildren = [];
        private NameTable? _table;
        private FastNode?[] _children = [];
        private ulong[] _requiredBits = [];
        private ulong _allRequired;
        private int[]? _requiredSlots;
        private int _requiredCount;
        private FastNode? _additional;
        private long _minProperties;
        private long _maxProperties = long.MaxValue;
        private bool _loop;

        public bool HasProperties { get; private set; }

        public List<string> RequiredNames { get; } = [];

        /// <summary>The member subschemas (declared and additional).</summary>
        public IEnumerable<FastNode?> Children => _tableChildren.Append(_additional);

        public NameCheck? Names { get; set; }

        public void SetProperties(PropertiesKeyword properties, int nesting)
        {
            HasProperties = true;
            foreach (var (name, node) in properties.Declared)
            {
                _tableNames.Add(name);
                _tableChildren.Add(Build(node, nesting + 1));
            }

            if (properties.Additional is { } additional)
            {
                _additional = Build(additional, nesting + 1);
            }

            RequiredNames.AddRange(properties.RequiredNames);
        }

        public void Limit(bool isMin, long limit)
        {
            if (isMin)
            {
                _minProperties = Math.Max(_minProperties, limit);
            }
            else
            {
                _maxProperties = Math.Min(_maxProperties, limit);
            }
        }

        public void Freeze()
        {
            // Names are compared as UTF-8 bytes (keyed here byte for byte), as the name table compares them.
            static string Key(byte[] utf8) => System.Text.Encoding.Latin1.GetString(utf8);
            var names = new List<byte[]>(_tableNames);
            var children = new List<FastNode?>(_tableChildren);
            var indexes = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int i = 0; i < names.Count; i++)
            {
                indexes.TryAdd(Key(names[i]), i); // A repeated declared name: the first one wins, as in the name table.
            }

            var slots = new int[names.Count + RequiredNames.Count];
            slots.AsSpan().Fill(-1);
            int required = 0;
            foreach (string name in RequiredNames)
            {
                byte[] utf8 = System.Text.Encoding.UTF8.GetBytes(name);
                if (!indexes.TryGetValue(Key(utf8), out int index))
                {
                    index = names.Count;
                    names.Add(utf8);
                    children.Add(null);
                    indexes.Add(Key(utf8), index);
                }

                if (slots[index] < 0)
                {
                    slots[index] = required++;
                }
            }

            _table = new NameTable(names);
            _children = [.. children];
            _requiredCount = required;
            if (required <= 64)
            {
                _requiredBits = [.. slots[..names.Count].Select(slot => slot < 0 ? 0 : 1UL << slot)];
                _allRequired = required == 64 ? ulong.MaxValue : (1UL << required) - 1;
            }
            else
            {
                _requiredSlots = slots[..names.Count];
            }

            if (_additional is { _kind: Kind.True })
            {
                _additional = null;
            }

            _loop = _table.Count > 0 || _additional is not null || Names is not null;
        }

        public bool IsValid(JsonElement instance, ValidationState state)
        {
            if (_minProperties > 0 || _maxProperties < long.MaxValue)
            {
                int count = instance.GetPropertyCount();
                if (count < _minProperties || count > _maxProperties)
                {
                    return false;
                }
            }

            if (!_loop)
            {
                return true;
            }

            if (_requiredSlots is null)
            {
                ulong found = 0;
                int unused = 0;
                return Scan(instance, state, ref found, default, ref unused) && found == _allRequired;
            }

            return IsValidWide(instance, state);
        }

        /// <summary>
        /// <see cref="IsValid(JsonElement, ValidationState)"/> on the parse table: the member count is in the object's row,
        /// each name's text and escapes flag in its own. Escaped names and more than 64 required names take the element path.
        /// </summary>
        public bool IsValid(scoped in JsonRows rows, int index, JsonRows.Row row, ValidationState state)
        {
            int count = row.Length;
            if (count < _minProperties || count > _maxProperties)
            {
                return false;
            }

            if (!_loop)
            {
                return true;
            }

            if (_requiredSlots is not null)
            {
                return IsValidWide(rows.Element(index), state);
            }

            var table = _table!;
            var names = Names;
            ulong found = 0;
            int expected = 0;
            int end = index + (JsonRows.RowSize * row.Rows);
            for (int i = index + JsonRows.RowSize; i < end;)
            {
                var name = rows[i];
                if (name.HasEscapes)
                {
                    // Rare: compare decoded names, as the element path does, from the start of the object.
                    return IsValid(rows.Element(index), state);
                }

                var raw = rows.Text(name);
                if (names is not null && !names.IsValid(raw, state))
                {
                    return false;
                }

                int valueIndex = i + JsonRows.RowSize;
                var value = rows[valueIndex];
                i = value.IsValue ? valueIndex + JsonRows.RowSize : valueIndex + (JsonRows.RowSize * (value.Rows + 1));
                int slot = table.Find(raw, rows.Prefix(name), expected);
                expected = slot + 1;
                if (slot >= 0)
                {
                    found |= _requiredBits[slot];
                    if (_children[slot] is { } child)
                    {
                        if (!IsValidChild(child, rows, valueIndex, value, state))
                        {
                            return false;
                        }

                        continue;
                    }
                }

                if (_additional is { } additional && !IsValidChild(additional, rows, valueIndex, value, state))
                {
                    return false;
                }
            }

            return found == _allRequired;
        }

        /// <summary>The member pass with more than 64 required names: a bitmap of the ones seen, and their count.</summary>
        private bool IsValidWide(JsonElement instance, ValidationState state)
        {
            int words = (_requiredCount + 63) >> 6;
            ulong[]? rented = null;
            Span<ulong> seen = words <= StackWords ? stackalloc ulong[StackWords] : (rented = ArrayPool<ulong>.Shared.Rent(words));
            seen = seen[..words];
            if (rented is not null)
            {
                seen.Clear();
            }

            try
            {
                ulong unused = 0;
                int count = 0;
                return Scan(instance, state, ref unused, seen, ref count) && count == _requiredCount;
            }
            finally
            {
                if (rented is not null)
                {
                    ArrayPool<ulong>.Shared.Return(rented);
                }
            }
        }

        /// <summary>
        /// One pass over the members: the name table gives each member's subschema and required slot, noted in
        /// <paramref name="found"/> (up to 64 required names) or in <paramref name="seen"/> with <paramref name="count"/>
        /// distinct required names (more).
        /// </summary>
        private bool Scan(JsonElement instance, ValidationState state, ref ulong found, Span<ulong> seen, ref int count)
        {
            var table = _table!;
            var slots = _requiredSlots;
            foreach (var property in instance.EnumerateObject())
            {
                var raw = JsonMarshal.GetRawUtf8PropertyName(property);
                int index = table.Find(raw);
                if ((index < 0 || table.HasBackslash) && raw.Contains((byte)'\\'))
                {
                    index = table.FindEscaped(property);
                }

                if (Names is { } names && !names.IsValid(raw, state))
                {
                    return false;
                }

                if (index >= 0)
                {
                    if (slots is null)
                    {
                        found |= _requiredBits[index];
                    }
                    else if (slots[index] is int slot and >= 0)
                    {
                        ref ulong word = ref seen[slot >> 6];
                        ulong bit = 1UL << slot;
                        if ((word & bit) == 0)
                        {
                            word |= bit;
                            count++;
                        }
                    }

                    if (_children[index] is { } child)
                    {
                        if (!IsValidChild(child, property.Value, state))
                        {
                            return false;
                        }

                        continue;
                    }
                }

                if (_additional is { } additional && !IsValidChild(additional, property.Value, state))
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>
    /// <c>prefixItems</c>/<c>items</c> (or draft-07 array <c>items</c>/<c>additionalItems</c>), <c>minItems</c>/<c>maxItems</c>
    /// and <c>uniqueItems</c> in one pass. Short arrays of strings without escapes are checked for duplicates by the length
    /// and the first and last eight UTF-8 bytes of each (equal bytes, equal strings; for texts up to 16 bytes that is the
    /// whole text); a longer pair that agrees there, or any other array, goes to the keyword's exact comparison.
    /// </summary>
    private sealed class ArrayCheck
    {
        private const int HashedLimit = 16;


        private FastNode[] _prefix = [];
        private FastNode? _rest;
        private long _minItems;
        private long _maxItems = long.MaxValue;

        public bool HasItems { get; private set; }

        public UniqueItemsKeyword? Unique { get; set; }

        /// <summary>The item subschemas.</summary>
        public IEnumerable<FastNode?> Children => _prefix.Append(_rest);

        public void SetItems(ItemsKeyword items, int nesting)
        {
            HasItems = true;
            _prefix = [.. items.Prefix.Select(node => Build(node, nesting + 1))];
            _rest = items.Rest is { } rest ? Build(rest, nesting + 1) : null;
            if (_prefix.Length == 0 && _rest is { _kind: Kind.True })
            {
                _rest = null;
                HasItems = false;
            }
        }

        public void Limit(bool isMin, long limit)
        {
            if (isMin)
            {
                _minItems = Math.Max(_minItems, limit);
            }
            else
            {
                _maxItems = Math.Min(_maxItems, limit);
            }
        }

        /// <summary>
        /// <see cref="IsValid(JsonElement, ValidationState)"/> on the parse table: the item count is in the array's row.
        /// <c>uniqueItems</c> takes the element path.
        /// </summary>
        public bool IsValid(scoped in JsonRows rows, int index, JsonRows.Row row, ValidationState state)
        {
            if (Unique is not null)
            {
                return IsValid(rows.Element(index), state);
            }

            int length = row.Length;
            if (length < _minItems || length > _maxItems)
            {
                return false;
            }

            if (!HasItems)
            {
                return true;
            }

            int end = index + (JsonRows.RowSize * row.Rows);
            int position = 0;
            for (int i = index + JsonRows.RowSize; i < end; position++)
            {
                var item = rows[i];
                var node = position < _prefix.Length ? _prefix[position] : _rest;
                if (node is not null && !IsValidChild(node, rows, i, item, state))
                {
                    return false;
                }

                i = item.IsValue ? i + JsonRows.RowSize : i + (JsonRows.RowSize * (item.Rows + 1));
            }

            return true;
        }

        public bool IsValid(JsonElement instance, ValidationState state)
        {
            int length = -1;
            if (_minItems > 0 || _maxItems < long.MaxValue || Unique is not null)
            {
                length = instance.GetArrayLength();
                if (length < _minItems || length > _maxItems)
                {
                    return false;
                }
            }

            // Duplicates among up to 16 plain strings are looked for by hash during the item pass.
            bool hashing = Unique is not null && length is >= 2 and <= HashedLimit;
            bool exact = Unique is not null && length > HashedLimit;
            if (!HasItems && !hashing)
            {
                return !exact || Unique!.Evaluate(state, instance, default);
            }

            Span<ulong> heads = hashing ? stackalloc ulong[HashedLimit] : default;
            Span<ulong> tails = hashing ? stackalloc ulong[HashedLimit] : default;
            Span<int> lengths = hashing ? stackalloc int[HashedLimit] : default;
            int index = 0;
            foreach (var item in instance.EnumerateArray())
            {
                if (HasItems)
                {
                    var node = index < _prefix.Length ? _prefix[index] : _rest;
                    if (node is not null && !IsValidChild(node, item, state))
                    {
                        return false;
                    }
                }

                if (hashing)
                {
                    var raw = JsonMarshal.GetRawUtf8Value(item);
                    if (raw[0] != (byte)'"' || (raw = raw[1..^1]).Contains((byte)'\\'))
                    {
                        hashing = false;
                        exact = true;
                    }
                    else
                    {
                        // The first and last eight bytes and the length: the whole text when it is at most 16 bytes long.
                        lengths[index] = raw.Length;
                        heads[index] = JsonRows.PrefixOf(raw);
                        tails[index] = raw.Length > 8 ? BinaryPrimitives.ReadUInt64LittleEndian(raw[^8..]) : 0;
                    }
                }

                index++;
            }

            if (hashing)
            {
                for (int i = 0; i < index; i++)
                {
                    for (int j = i + 1; j < index; j++)
                    {
                        if (heads[i] == heads[j] && tails[i] == tails[j] && lengths[i] == lengths[j])
                        {
                            if (lengths[i] <= 16)
                            {
                                return false; // The same text twice.
                            }

                            exact = true; // Longer texts that agree at both ends: compare them in full.
                        }
                    }
                }
            }

            return !exact || Unique!.Evaluate(state, instance, default);
        }
    }
}
