using System.Buffers;
using System.Globalization;
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
    private readonly ConstValue? _equal;
    private readonly ConstValue[]? _in;
    private readonly ConstValue[]? _notIn;
    private readonly Regex? _pattern;
    private readonly decimal? _min;
    private readonly decimal? _max;
    private readonly int? _minLength;
    private readonly int? _maxLength;
    private readonly bool _required;

    private CompiledCondition(string key, ArgumentCondition c, Regex? pattern)
    {
        Key = key;
        _pointer = JsonPointer.Split(key);
        var lenient = c.FromConfiguration;
        _equal = c.EqualTo is { } e ? new ConstValue(e, lenient) : null;
        _in = c.In?.Select(v => new ConstValue(v, lenient)).ToArray();
        _notIn = c.NotIn?.Select(v => new ConstValue(v, lenient)).ToArray();
        _pattern = pattern;
        _min = c.Min;
        _max = c.Max;
        _minLength = c.MinLength;
        _maxLength = c.MaxLength;
        _required = c.Required;
        Description = Describe(c);
    }

    public string Key { get; }

    /// <summary>A readable summary of what the condition requires, for reasons.</summary>
    public string Description { get; }

    public static CompiledCondition? Compile(string key, ArgumentCondition c, string path, List<PolicyError> errors, string? source)
    {
        var ok = true;
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

        if (c is { EqualTo: null, In: null, NotIn: null, Pattern: null, Min: null, Max: null, MinLength: null, MaxLength: null, Required: false })
        {
            errors.Add(new PolicyError(path, source, "the condition is empty; give at least one of equals, in, notIn, pattern, min, max, minLength, maxLength, required"));
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

        return ok ? new CompiledCondition(key, c, regex) : null;
    }

    /// <summary>True when the arguments violate this condition used as a constraint.</summary>
    public bool IsViolatedBy(ToolArguments arguments)
    {
        if (!arguments.TryResolve(_pointer, out var value))
        {
            return _required;
        }

        if (value.ValueKind == JsonValueKind.Array)
        {
            foreach (var element in value.EnumerateArray())
            {
                if (Evaluate(element) != Tri.True)
                {
                    return true;
                }
            }

            return false;
        }

        return Evaluate(value) != Tri.True;
    }

    /// <summary>True when the condition, used in a rule's <c>when</c>, holds (or cannot be decided) for the arguments.</summary>
    public bool HoldsFor(ToolArguments arguments)
    {
        if (!arguments.TryResolve(_pointer, out var value))
        {
            return false;
        }

        if (value.ValueKind == JsonValueKind.Array)
        {
            foreach (var element in value.EnumerateArray())
            {
                if (Evaluate(element) != Tri.False)
                {
                    return true;
                }
            }

            return false;
        }

        return Evaluate(value) != Tri.False;
    }

    internal Tri Evaluate(JsonElement value)
    {
        var unknown = false;
        if (_equal is { } eq && !eq.Matches(value))
        {
            return Tri.False;
        }

        if (_in is not null)
        {
            var found = false;
            foreach (var candidate in _in)
            {
                if (candidate.Matches(value))
                {
                    found = true;
                    break;
                }
            }

            if (!found)
            {
                return Tri.False;
            }
        }

        if (_notIn is not null)
        {
            foreach (var candidate in _notIn)
            {
                if (candidate.Matches(value))
                {
                    return Tri.False;
                }
            }
        }

        if (_min is not null || _max is not null)
        {
            if (TryGetNumber(value, out var number))
            {
                if (number is { } n && ((_min is { } min && n < min) || (_max is { } max && n > max)))
                {
                    return Tri.False;
                }

                // A number too large for decimal: compare as double.
                if (number is null)
                {
                    var d = value.ValueKind == JsonValueKind.Number ? value.GetDouble() : double.Parse(value.GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture);
                    if (double.IsNaN(d) || (_min is { } min2 && d < (double)min2) || (_max is { } max2 && d > (double)max2))
                    {
                        return Tri.False;
                    }
                }
            }
            else
            {
                unknown = true;
            }
        }

        if (_pattern is not null || _minLength is not null || _maxLength is not null)
        {
            if (value.ValueKind != JsonValueKind.String)
            {
                unknown = true;
            }
            else
            {
                var r = EvaluateString(value);
                if (r == Tri.False)
                {
                    return Tri.False;
                }

                unknown |= r == Tri.Unknown;
            }
        }

        return unknown ? Tri.Unknown : Tri.True;
    }

    private static bool TryGetNumber(JsonElement value, out decimal? number)
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
            raw = raw[1..^1];
            if (raw.Length is > 0 and < 64 && raw.IndexOf((byte)'\\') < 0
                && System.Buffers.Text.Utf8Parser.TryParse(raw, out decimal d, out var consumed, 'E') && consumed == raw.Length)
            {
                number = d;
                return true;
            }

            if (raw.Length is > 0 and < 400 && raw.IndexOf((byte)'\\') < 0
                && double.TryParse(Encoding.UTF8.GetString(raw), NumberStyles.Float, CultureInfo.InvariantCulture, out var dbl) && double.IsFinite(dbl))
            {
                return true;
            }
        }

        return false;
    }

    private Tri EvaluateString(JsonElement value)
    {
        var raw = JsonMarshal.GetRawUtf8Value(value);
        raw = raw[1..^1];
        if (raw.IndexOf((byte)'\\') >= 0)
        {
            return EvaluateString(value.GetString()!.AsSpan());
        }

        if (_minLength is not null || _maxLength is not null)
        {
            var codePoints = 0;
            foreach (var b in raw)
            {
                if ((b & 0xC0) != 0x80)
                {
                    codePoints++;
                }
            }

            if ((_minLength is { } minL && codePoints < minL) || (_maxLength is { } maxL && codePoints > maxL))
            {
                return Tri.False;
            }
        }

        if (_pattern is null)
        {
            return Tri.True;
        }

        char[]? rented = null;
        var buffer = raw.Length <= StackChars ? stackalloc char[StackChars] : (rented = ArrayPool<char>.Shared.Rent(raw.Length));
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

    private Tri EvaluateString(ReadOnlySpan<char> text)
    {
        if (_minLength is not null || _maxLength is not null)
        {
            var codePoints = 0;
            for (var i = 0; i < text.Length; i++)
            {
                if (!char.IsLowSurrogate(text[i]))
                {
                    codePoints++;
                }
            }

            if ((_minLength is { } minL && codePoints < minL) || (_maxLength is { } maxL && codePoints > maxL))
            {
                return Tri.False;
            }
        }

        return _pattern is null ? Tri.True : MatchPattern(text);
    }

    private Tri MatchPattern(ReadOnlySpan<char> text)
    {
        try
        {
            return _pattern!.IsMatch(text) ? Tri.True : Tri.False;
        }
        catch (RegexMatchTimeoutException)
        {
            return Tri.Unknown;
        }
    }

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
    private readonly struct ConstValue
    {
        private readonly JsonElement _element;
        private readonly string? _string;
        private readonly decimal? _number;
        private readonly bool _lenient;

        public ConstValue(JsonElement element, bool lenient)
        {
            _element = element;
            _lenient = lenient;
            _string = element.ValueKind == JsonValueKind.String ? element.GetString() : null;
            _number = element.ValueKind == JsonValueKind.Number && element.TryGetDecimal(out var d) ? d
                : lenient && _string is not null && decimal.TryParse(_string, NumberStyles.Float, CultureInfo.InvariantCulture, out var ld) ? ld
                : null;
        }

        public bool Matches(JsonElement value)
        {
            switch (value.ValueKind)
            {
                case JsonValueKind.String:
                    return _string is not null && value.ValueEquals(_string);
                case JsonValueKind.Number:
                    if (_element.ValueKind != JsonValueKind.Number && !(_lenient && _number is not null))
                    {
                        return false;
                    }

                    if (_number is { } n && value.TryGetDecimal(out var d))
                    {
                        return n == d;
                    }

                    return _element.ValueKind == JsonValueKind.Number && value.GetDouble().Equals(_element.GetDouble());
                case JsonValueKind.True:
                case JsonValueKind.False:
                    if (_element.ValueKind == value.ValueKind)
                    {
                        return true;
                    }

                    return _lenient && _string is not null && bool.TryParse(_string, out var b) && b == (value.ValueKind == JsonValueKind.True);
                case JsonValueKind.Null:
                    return _element.ValueKind == JsonValueKind.Null || (_lenient && string.Equals(_string, "null", StringComparison.OrdinalIgnoreCase));
                default:
                    return JsonElement.DeepEquals(_element, value);
            }
        }
    }
}
