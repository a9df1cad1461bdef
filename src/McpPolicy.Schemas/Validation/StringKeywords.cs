using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace McpPolicy.Schemas.Validation;

/// <summary>
/// The string keywords of one schema (<c>minLength</c>, <c>maxLength</c>, <c>pattern</c> and an asserted <c>format</c>)
/// evaluated together: the string is read once, decoded at most once (onto the stack when short), and its length is
/// counted in code points only when a bound needs it.
/// </summary>
internal sealed class StringKeyword : Keyword
{
    private readonly long _minLength;
    private readonly string? _minLengthLocation;
    private readonly long _maxLength;
    private readonly string? _maxLengthLocation;
    private readonly SchemaRegex? _pattern;
    private readonly string? _patternLocation;
    private readonly (string Name, FormatCheck Check, string Location)? _format;

    public StringKeyword(
        string name,
        string location,
        (long Limit, string Location)? minLength,
        (long Limit, string Location)? maxLength,
        (SchemaRegex Regex, string Location)? pattern,
        (string Name, FormatCheck Check, string Location)? format)
        : base(name, location)
    {
        _minLength = minLength?.Limit ?? 0;
        _minLengthLocation = minLength?.Location;
        _maxLength = maxLength?.Limit ?? long.MaxValue;
        _maxLengthLocation = maxLength?.Location;
        _pattern = pattern?.Regex;
        _patternLocation = pattern?.Location;
        _format = format;
    }

    /// <summary>The <c>minLength</c> (0 when absent).</summary>
    public long MinLength => _minLength;

    /// <summary>The <c>maxLength</c> (<see cref="long.MaxValue"/> when absent).</summary>
    public long MaxLength => _maxLength;

    /// <summary>The <c>pattern</c>, if any.</summary>
    public SchemaRegex? Pattern => _pattern;

    /// <summary>Whether an asserted <c>format</c> is part of this keyword.</summary>
    public bool HasFormat => _format is not null;

    public override bool SupportsStringInstance => true;

    public override bool EvaluateString(ValidationState state, ReadOnlySpan<char> value)
    {
        long length = JsonText.CountCodePoints(value);
        if (length < _minLength || length > _maxLength)
        {
            return false;
        }

        if (_pattern is not null)
        {
            var outcome = _pattern.Match(value);
            if (outcome == RegexOutcome.Timeout)
            {
                state.ReportLimit(nameof(JsonSchemaOptions.ValidationTimeout), _patternLocation!, "took too long to match the pattern '" + _pattern.Source + "'");
            }

            if (outcome != RegexOutcome.Match)
            {
                return false;
            }
        }

        return _format is not { } format || format.Check(value);
    }

    public override bool Evaluate(ValidationState state, JsonElement instance, Span<ulong> evaluated)
    {
        if (instance.ValueKind != JsonValueKind.String)
        {
            return true;
        }

        var raw = JsonText.RawString(instance);
        bool valid = true;
        if (_minLength > 0 || raw.Length > _maxLength)
        {
            // A code point takes at least one byte, so only a text longer than maxLength bytes needs counting for maxLength.
            long length = JsonText.CountCodePoints(raw);
            if (length < _minLength)
            {
                if (!state.Collect)
                {
                    return false;
                }

                valid = false;
                state.Report("minLength", _minLengthLocation!, string.Create(CultureInfo.InvariantCulture,
                    $"must be at least {_minLength} character{(_minLength == 1 ? "" : "s")} long, but has {length}"));
            }

            if (length > _maxLength)
            {
                if (!state.Collect)
                {
                    return false;
                }

                valid = false;
                state.Report("maxLength", _maxLengthLocation!, string.Create(CultureInfo.InvariantCulture,
                    $"must be at most {_maxLength} character{(_maxLength == 1 ? "" : "s")} long, but has {length}"));
            }
        }

        if (_pattern is null && _format is null)
        {
            return valid;
        }

        if (_format is null && _pattern!.Fast is { } fast && !raw.Contains((byte)'\\'))
        {
            // A simple ASCII pattern runs on the UTF-8 bytes: nothing to decode.
            if (!valid && !state.Collect)
            {
                return false;
            }

            if (!fast.IsMatch(raw))
            {
                valid = false;
                if (state.Collect)
                {
                    state.Report("pattern", _patternLocation!, "must match the pattern '" + _pattern.Source + "'");
                }
            }

            return valid;
        }

        char[]? rented = null;
        Span<char> buffer = raw.Length <= JsonText.StackLimit ? stackalloc char[JsonText.StackLimit] : (rented = ArrayPool<char>.Shared.Rent(raw.Length));
        var text = buffer[..JsonText.Decode(raw, buffer)];
        if (_pattern is not null && (valid || state.Collect))
        {
            switch (_pattern.Match(text))
            {
                case RegexOutcome.Match:
                    break;
                case RegexOutcome.Timeout:
                    state.ReportLimit(nameof(JsonSchemaOptions.ValidationTimeout), _patternLocation!, "took too long to match the pattern '" + _pattern.Source + "'");
                    valid = false;
                    break;
                default:
                    valid = false;
                    if (state.Collect)
                    {
                        state.Report("pattern", _patternLocation!, "must match the pattern '" + _pattern.Source + "'");
                    }

                    break;
            }
        }

        if (_format is { } format && (valid || state.Collect) && !format.Check(text))
        {
            valid = false;
            if (state.Collect)
            {
                state.Report("format", format.Location, "must be a valid " + format.Name + ", but is " + Describe.Preview(instance));
            }
        }

        if (rented is not null)
        {
            ArrayPool<char>.Shared.Return(rented);
        }

        return valid;
    }
}
