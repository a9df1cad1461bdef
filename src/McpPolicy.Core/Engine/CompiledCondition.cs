using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace McpPolicy.Engine;

/// <summary>
/// One argument's conditions, compiled. As a constraint it is violated unless it holds (unknown counts as violated);
/// as a rule condition it holds unless it is false (unknown counts as holding). Both err towards the higher risk.
/// </summary>
internal sealed class CompiledCondition
{
    private const int StackChars = 256;
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(100);

    private readonly string[] _pointer;
    private readonly byte[]? _firstKeyUtf8;
    private readonly ConstValue? _equal;
    private readonly bool _numberBounds;
    private readonly bool _integralBounds;
    private readonly long _minInt64;
    private readonly long _maxInt64;
    private readonly bool _stringChecks;
    private readonly ConstValue[]? _in;
    private readonly ConstValue[]? _notIn;
    private readonly Regex? _pattern;
    private readonly RulePatternDfa? _patternDfa;
    private readonly decimal? _min;
    private readonly decimal? _max;
    private readonly int? _minLength;
    private readonly int? _maxLength;
    private readonly bool _required;
    private readonly IArgumentCheck[]? _typed;

    /// <summary>True when the condition checks nothing but a string's length and pattern: <see cref="Evaluate(ref ValueFacts)"/> takes its short path.</summary>
    private readonly bool _stringOnly;

    private CompiledCondition(string key, ArgumentCondition c, Regex? pattern, IArgumentCheck[] typed)
    {
        _typed = typed.Length == 0 ? null : typed;
        Key = key;
        _pointer = JsonPointer.Split(key);
        _firstKeyUtf8 = ToolArguments.KeyUtf8(_pointer[0]);
        var lenient = c.FromConfiguration;
        _equal = c.EqualTo is { } e ? new ConstValue(e, lenient) : null;
        _in = c.In?.Select(v => new ConstValue(v, lenient)).ToArray();
        _notIn = c.NotIn?.Select(v => new ConstValue(v, lenient)).ToArray();
        _pattern = pattern;
        _patternDfa = pattern is null ? null : RulePatternDfa.TryCompile(pattern.ToString());
        _min = c.Min;
        _max = c.Max;
        _minLength = c.MinLength;
        _maxLength = c.MaxLength;
        _required = c.Required;
        _numberBounds = _min is not null || _max is not null;

        // Whole-number bounds also as long, so a whole-number argument compares without decimal arithmetic.
        _integralBounds = IsInt64(_min) && IsInt64(_max);
        _minInt64 = _integralBounds && _min is { } minBound ? (long)minBound : long.MinValue;
        _maxInt64 = _integralBounds && _max is { } maxBound ? (long)maxBound : long.MaxValue;
        _stringChecks = _pattern is not null || _minLength is not null || _maxLength is not null;
        _stringOnly = _stringChecks && _equal is null && _in is null && _notIn is null && !_numberBounds && _typed is null;
        Description = typed.Length == 0 ? Describe(c) : string.Join(" and ", new[] { Describe(c) }.Where(d => d.Length > 0).Concat(typed.Select(t => t.Description)));
    }

    public string Key { get; }

    /// <summary>True when the pattern is matched by its <see cref="RulePatternDfa"/> rather than the Regex.</summary>
    internal bool MatchesPatternWithDfa => _patternDfa is not null;

    /// <summary>A readable summary of what the condition requires, for reasons.</summary>
    public string Description { get; }

    public static CompiledCondition? Compile(string key, ArgumentCondition c, string path, List<PolicyError> errors, string? source, IReadOnlyDictionary<string, IArgumentConstraintKind>? kinds = null)
    {
        var ok = true;
        var typed = new List<IArgumentCheck>();
        foreach (var (name, settings) in c.Typed.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            if (kinds is null || !kinds.TryGetValue(name, out var kind))
            {
                errors.Add(new PolicyError(path + "." + name, source, $"the typed constraint '{name}' needs McpPolicy.Schemas: add the package and call AddArgumentConstraints() on the McpPolicy builder"));
                ok = false;
                continue;
            }

            try
            {
                typed.Add(kind.Compile(settings));
            }
            catch (PolicyValidationException ex)
            {
                errors.AddRange(ex.Errors.Select(e => new PolicyError(path + "." + name + (e.Path is "$" or "" ? "" : e.Path.TrimStart('$')), source, e.Message)));
                ok = false;
            }
            catch (ArgumentException ex)
            {
                errors.Add(new PolicyError(path + "." + name, source, ex.Message));
                ok = false;
            }
        }

        if (!JsonPointer.IsValid(key, out var pointerError))
        {
            errors.Add(new PolicyError(path, source, pointerError!));
            ok = false;
        }

        if (c.Min is { } min && c.Max is { } max && min > max)
        {
            errors.Add(new PolicyError(path, source, $"min ({min}) is greater than max ({max}), so no value can pass"));
            ok = false;
        }

        if (c.MinLength < 0 || c.MaxLength < 0)
        {
            errors.Add(new PolicyError(path, source, "minLength and maxLength must not be negative"));
            ok = false;
        }
        else if (c.MinLength is { } minL && c.MaxLength is { } maxL && minL > maxL)
        {
            errors.Add(new PolicyError(path, source, $"minLength ({minL}) is greater than maxLength ({maxL}), so no value can pass"));
            ok = false;
        }

        if (c is { EqualTo: null, In: null, NotIn: null, Pattern: null, Min: null, Max: null, MinLength: null, MaxLength: null, Required: false, Typed.Count: 0 })
        {
            errors.Add(new PolicyError(path, source, "the condition is empty; give at least one of equals, in, notIn, pattern, min, max, minLength, maxLength, required, path, url, commandLine"));
            ok = false;
        }

        Regex? regex = null;
        if (c.Pattern is not null)
        {
            try
            {
                regex = new Regex(c.Pattern, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant, RegexTimeout);
            }
            catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
            {
                errors.Add(new PolicyError(path + ".pattern", source, $"the pattern cannot be compiled without backtracking: {ex.Message} (backreferences and lookarounds are not supported)"));
                ok = false;
            }
        }

        if (!ok)
        {
            return null;
        }

        try
        {
            return new CompiledCondition(key, c, regex, typed.ToArray());
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException)
        {
            // For example a string constant holding a lone UTF-16 surrogate (\ud800), which has no text form to compare.
            errors.Add(new PolicyError(path, source, "a value in the condition cannot be used for comparison (is it a string with an unpaired surrogate escape such as \\ud800?)"));
            return null;
        }
    }

    /// <summary>True when the arguments violate this condition used as a constraint.</summary>
    public bool IsViolatedBy(ToolArguments arguments)
    {
        var facts = default(ValueFacts);
        return IsViolatedBy(arguments, ref facts);
    }

    /// <summary>As <see cref="IsViolatedBy(ToolArguments)"/>, sharing the argument's facts with the decision's other conditions on it (slot -1: none).</summary>
    public bool IsViolatedBy(ToolArguments arguments, Span<ValueFacts> cache, int slot)
        => slot < 0 ? IsViolatedBy(arguments) : IsViolatedBy(arguments, ref cache[slot]);

    /// <summary>True when the condition, used in a rule's <c>when</c>, holds (or cannot be decided) for the arguments.</summary>
    public bool HoldsFor(ToolArguments arguments)
    {
        var facts = default(ValueFacts);
        return HoldsFor(arguments, ref facts);
    }

    /// <summary>As <see cref="HoldsFor(ToolArguments)"/>, sharing the argument's facts with the decision's other conditions on it (slot -1: none).</summary>
    public bool HoldsFor(ToolArguments arguments, Span<ValueFacts> cache, int slot)
        => slot < 0 ? HoldsFor(arguments) : HoldsFor(arguments, ref cache[slot]);

    /// <summary><paramref name="facts"/> belongs to this condition's key: unresolved, or resolved for the same arguments.</summary>
    private bool IsViolatedBy(ToolArguments arguments, ref ValueFacts facts)
    {
        if (!facts.Resolve(arguments, _pointer, _firstKeyUtf8))
        {
            return _required;
        }

        return facts.Kind == JsonValueKind.Array ? AnyItemOtherThan(facts.Value, Tri.True) : Evaluate(ref facts) != Tri.True;
    }

    private bool HoldsFor(ToolArguments arguments, ref ValueFacts facts)
    {
        if (!facts.Resolve(arguments, _pointer, _firstKeyUtf8))
        {
            return false;
        }

        return facts.Kind == JsonValueKind.Array ? AnyItemOtherThan(facts.Value, Tri.False) : Evaluate(ref facts) != Tri.False;
    }

    /// <summary>
    /// True when some item of an array argument evaluates to anything but <paramref name="expected"/>: an array violates a constraint when
    /// an item is not <see cref="Tri.True"/>, and a rule's condition holds for it when an item is not <see cref="Tri.False"/>. Out of line:
    /// the usual argument is not an array.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool AnyItemOtherThan(JsonElement array, Tri expected)
    {
        foreach (var element in array.EnumerateArray())
        {
            var elementFacts = ValueFacts.Of(element);
            if (Evaluate(ref elementFacts) != expected)
            {
                return true;
            }
        }

        return false;
    }

    internal Tri Evaluate(JsonElement value)
    {
        var facts = ValueFacts.Of(value);
        return Evaluate(ref facts);
    }

    private Tri Evaluate(ref ValueFacts facts)
    {
        if (_stringOnly)
        {
            // The usual condition on a string (a length, a pattern): the checks below that do not apply are not walked past.
            return facts.Kind == JsonValueKind.String ? EvaluateString(ref facts) : Tri.Unknown;
        }

        return EvaluateAll(ref facts);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private Tri EvaluateAll(ref ValueFacts facts)
    {
        var unknown = false;
        if (_equal is { } eq && !eq.Matches(ref facts))
        {
            return Tri.False;
        }

        if (_in is not null && !Contains(_in, ref facts))
        {
            return Tri.False;
        }

        if (_notIn is not null && Contains(_notIn, ref facts))
        {
            return Tri.False;
        }

        if (_numberBounds)
        {
            switch (facts.NumberKind)
            {
                case ValueFacts.NumberDecimal:
                    if (_integralBounds && facts.IsInt64)
                    {
                        var l = facts.Int64;
                        if (l < _minInt64 || l > _maxInt64)
                        {
                            return Tri.False;
                        }
                    }
                    else
                    {
                        var n = facts.Decimal;
                        if ((_min is { } min && n < min) || (_max is { } max && n > max))
                        {
                            return Tri.False;
                        }
                    }

                    break;
                case ValueFacts.NumberBeyondDecimal:
                    // A number too large for decimal: compare as double.
                    var value = facts.Value;
                    var d = value.ValueKind == JsonValueKind.Number ? value.GetDouble() : double.Parse(value.GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture);
                    if (double.IsNaN(d) || (_min is { } min2 && d < (double)min2) || (_max is { } max2 && d > (double)max2))
                    {
                        return Tri.False;
                    }

                    break;
                default:
                    unknown = true;
                    break;
            }
        }

        if (_stringChecks)
        {
            if (facts.Kind != JsonValueKind.String)
            {
                unknown = true;
            }
            else
            {
                var r = EvaluateString(ref facts);
                if (r == Tri.False)
                {
                    return Tri.False;
                }

                unknown |= r == Tri.Unknown;
            }
        }

        if (_typed is not null)
        {
            foreach (var check in _typed)
            {
                bool? ok;
                try
                {
                    ok = check.Check(facts.Value);
                }
#pragma warning disable CA1031 // A typed check that fails counts against the caller, like a wrong type.
                catch (Exception)
#pragma warning restore CA1031
                {
                    ok = null;
                }

                if (ok == false)
                {
                    return Tri.False;
                }

                unknown |= ok is null;
            }
        }

        return unknown ? Tri.Unknown : Tri.True;
    }

    /// <summary>The value as a number: a JSON number (null when beyond decimal), or a string that spells one. False when neither.</summary>
    internal static bool TryGetNumber(JsonElement value, out decimal? number)
    {
        number = null;
        if (value.ValueKind == JsonValueKind.Number)
        {
            if (value.TryGetDecimal(out var d))
            {
                number = d;
            }

            return true;
        }

        // A numeric string is compared as the number it spells, so "5000" cannot slip past a limit on 5000.
        if (value.ValueKind == JsonValueKind.String)
        {
            var raw = JsonMarshal.GetRawUtf8Value(value);
            raw = raw[1..^1].Trim(" \t\r\n"u8);
            // Plain ("5", "-12.5") first, then scientific ("5e3"): Utf8Parser's 'E' format alone does not read plain numbers.
            if (raw.Length is > 0 and < 64 && raw.IndexOf((byte)'\\') < 0
                && ((System.Buffers.Text.Utf8Parser.TryParse(raw, out decimal d, out var consumed) && consumed == raw.Length)
                    || (System.Buffers.Text.Utf8Parser.TryParse(raw, out d, out consumed, 'E') && consumed == raw.Length)))
            {
                number = d;
                return true;
            }

            if (raw.IndexOf((byte)'\\') >= 0)
            {
                // Escaped text ("\u0035" is "5"): unescape first, so an escape cannot hide a number from a limit or a deny list.
                return TryParseNumberText(value.GetString()!, out number);
            }

            if (raw.Length is > 0 and < 400
                && double.TryParse(Encoding.UTF8.GetString(raw), NumberStyles.Float, CultureInfo.InvariantCulture, out var dbl) && double.IsFinite(dbl))
            {
                return true;
            }
        }

        return false;
    }

    private static bool TryParseNumberText(string text, out decimal? number)
    {
        number = null;
        text = text.Trim();
        if (text.Length is 0 or > 400)
        {
            return false;
        }

        if (decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
        {
            number = d;
            return true;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var dbl) && double.IsFinite(dbl);
    }

    private Tri EvaluateString(ref ValueFacts facts)
    {
        // The text as written between the quotes is never shorter than the text in code points (an escape is longer than what it stands
        // for, and a code point takes at least one byte), so a string whose written text fits maxLength needs no counting for it.
        if (_minLength is not null || (_maxLength is { } max && facts.WrittenLength > max))
        {
            var codePoints = facts.CodePoints();
            if ((_minLength is { } minL && codePoints < minL) || (_maxLength is { } maxL && codePoints > maxL))
            {
                return Tri.False;
            }
        }

        if (_pattern is null)
        {
            return Tri.True;
        }

        return MatchPattern(facts.Value);
    }

    /// <summary>
    /// The pattern on a string value: its DFA (when the pattern has one) on the raw UTF-8 when the value has no escapes; otherwise
    /// on the text, decoded into a stack buffer when it has no escapes.
    /// </summary>
    private Tri MatchPattern(JsonElement value)
    {
        var raw = JsonMarshal.GetRawUtf8Value(value);
        raw = raw[1..^1];

        var escaped = raw.IndexOf((byte)'\\') >= 0;

        // The DFA refuses only malformed UTF-8 (which a parsed JSON document does not hold); that is decoded as below.
        if (!escaped && _patternDfa is not null && _patternDfa.TryMatch(raw, out var isMatch))
        {
            return isMatch ? Tri.True : Tri.False;
        }

        return MatchPatternDecoded(value, raw, escaped);
    }

    /// <summary>
    /// <see cref="MatchPattern(JsonElement)"/> on the text (out of line: the usual value is matched on its bytes): decoded with its escapes
    /// when it has any, else from its UTF-8 into a stack buffer.
    /// </summary>
    [SkipLocalsInit] // The buffer is written by the decoder and only the written part is read.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private Tri MatchPatternDecoded(JsonElement value, ReadOnlySpan<byte> raw, bool escaped)
    {
        if (escaped)
        {
            return MatchPattern(value.GetString()!.AsSpan());
        }

        // A UTF-8 text never decodes to more UTF-16 characters than it has bytes.
        char[]? rented = null;
        var buffer = raw.Length <= StackChars ? stackalloc char[raw.Length] : (rented = ArrayPool<char>.Shared.Rent(raw.Length));
        try
        {
            var count = Encoding.UTF8.GetChars(raw, buffer);
            return MatchPattern(buffer[..count]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    private Tri MatchPattern(ReadOnlySpan<char> text)
    {
        if (_patternDfa is not null)
        {
            return _patternDfa.IsMatch(text) ? Tri.True : Tri.False;
        }

        try
        {
            return _pattern!.IsMatch(text) ? Tri.True : Tri.False;
        }
        catch (RegexMatchTimeoutException)
        {
            return Tri.Unknown;
        }
    }

    /// <summary>True when some constant in <paramref name="set"/> matches the value.</summary>
    private static bool Contains(ConstValue[] set, ref ValueFacts facts)
    {
        if (facts.Kind == JsonValueKind.String)
        {
            foreach (var candidate in set)
            {
                if (candidate.MatchesString(ref facts))
                {
                    return true;
                }
            }

            return false;
        }

        foreach (var candidate in set)
        {
            if (candidate.Matches(ref facts))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsInt64(decimal? bound)
        => bound is not { } b || (decimal.IsInteger(b) && b >= long.MinValue && b <= long.MaxValue);

    private static string Describe(ArgumentCondition c)
    {
        var parts = new List<string>();
        if (c.EqualTo is { } e)
        {
            parts.Add("must equal " + e.GetRawText());
        }

        if (c.In is { } i)
        {
            parts.Add("must be one of [" + string.Join(", ", i.Select(v => v.GetRawText())) + "]");
        }

        if (c.NotIn is { } n)
        {
            parts.Add("must not be any of [" + string.Join(", ", n.Select(v => v.GetRawText())) + "]");
        }

        if (c.Pattern is { } p)
        {
            parts.Add("must match /" + p + "/");
        }

        if (c.Min is { } min)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"must be at least {min}"));
        }

        if (c.Max is { } max)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"must be at most {max}"));
        }

        if (c.MinLength is { } minL)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"must be at least {minL} characters long"));
        }

        if (c.MaxLength is { } maxL)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"must be at most {maxL} characters long"));
        }

        if (c.Required)
        {
            parts.Add("is required");
        }

        return string.Join(" and ", parts);
    }

    /// <summary>A policy constant prepared for allocation-free comparison.</summary>
    private sealed class ConstValue
    {
        private readonly JsonElement _element;
        private readonly JsonValueKind _kind;
        private readonly string? _string;
        private readonly byte[]? _utf8;
        private readonly ulong _utf8Prefix;
        private readonly decimal? _number;
        private readonly bool _lenient;

        public ConstValue(JsonElement element, bool lenient)
        {
            _element = element;
            _kind = element.ValueKind;
            _lenient = lenient;
            _string = _kind == JsonValueKind.String ? element.GetString() : null;
            _utf8 = _string is null ? null : ToUtf8(_string);
            _utf8Prefix = _utf8 is null ? 0 : ValueFacts.Prefix(_utf8);
            _number = _kind == JsonValueKind.Number && element.TryGetDecimal(out var d) ? d
                : _string is not null && decimal.TryParse(_string, NumberStyles.Float, CultureInfo.InvariantCulture, out var ld) ? ld
                : null;
        }

        /// <summary><see cref="Matches"/> for a string value. A numeric string equals the number it spells, so "5" cannot slip past <c>notIn: [5]</c>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool MatchesString(ref ValueFacts facts)
            => _string is not null
                ? (_utf8 is not null ? facts.StringEquals(_utf8, _utf8Prefix) : facts.Value.ValueEquals(_string))
                : _kind == JsonValueKind.Number && MatchesNumericString(ref facts);

        private bool MatchesNumericString(ref ValueFacts facts)
        {
            if (_number is { } n)
            {
                if (facts.TryGetDecimal(out var d))
                {
                    return d == n;
                }

                return facts.NumberKind == ValueFacts.NumberBeyondDecimal
                    && double.TryParse(facts.Value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var big)
                    && big.Equals((double)n);
            }

            return facts.NumberKind == ValueFacts.NumberBeyondDecimal
                && double.TryParse(facts.Value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var dbl)
                && dbl.Equals(_element.GetDouble());
        }

        public bool Matches(ref ValueFacts facts)
        {
            var value = facts.Value;
            switch (facts.Kind)
            {
                case JsonValueKind.String:
                    return MatchesString(ref facts);
                case JsonValueKind.Number:
                    // A numeric string constant equals the number it spells, as a numeric string argument equals a number constant.
                    if (_kind != JsonValueKind.Number && _number is null)
                    {
                        return false;
                    }

                    if (_number is { } n && facts.TryGetDecimal(out var d))
                    {
                        return n == d;
                    }

                    return _kind == JsonValueKind.Number && value.GetDouble().Equals(_element.GetDouble());
                case JsonValueKind.True:
                case JsonValueKind.False:
                    if (_kind == facts.Kind)
                    {
                        return true;
                    }

                    return _lenient && _string is not null && bool.TryParse(_string, out var b) && b == (facts.Kind == JsonValueKind.True);
                case JsonValueKind.Null:
                    return _kind == JsonValueKind.Null || (_lenient && string.Equals(_string, "null", StringComparison.OrdinalIgnoreCase));
                default:
                    return JsonElement.DeepEquals(_element, value);
            }
        }

        /// <summary>
        /// The UTF-8 form used for comparison, so a string compares without transcoding per call. Null for a string
        /// with a lone surrogate, which has no UTF-8 form: it is compared as text, exactly as before.
        /// </summary>
        private static byte[]? ToUtf8(string s)
        {
            var bytes = new byte[Encoding.UTF8.GetMaxByteCount(s.Length)];
            return System.Text.Unicode.Utf8.FromUtf16(s, bytes, out _, out var written, replaceInvalidSequences: false) == OperationStatus.Done
                ? bytes.AsSpan(0, written).ToArray()
                : null;
        }
    }
}
