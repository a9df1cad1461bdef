using System.Buffers;
using System.Text.Json;

namespace McpPolicy.Schemas.Validation;

/// <summary>The JSON Schema primitive types as flags.</summary>
[Flags]
internal enum SchemaTypes
{
    None = 0,
    Null = 1,
    Boolean = 2,
    Object = 4,
    Array = 8,
    Number = 16,
    String = 32,
    Integer = 64,
}

/// <summary><c>type</c>.</summary>
internal sealed class TypeKeyword : Keyword
{
    private readonly SchemaTypes _types;

    public TypeKeyword(string location, SchemaTypes types, string expected)
        : base("type", location)
    {
        _types = types;
        Expected = expected;
    }

    /// <summary>The allowed types.</summary>
    public SchemaTypes Types => _types;

    /// <summary>The allowed types as a phrase ("a string or null").</summary>
    public string Expected { get; }

    /// <summary>Only integers are allowed among numbers (the integer check itself may move to <see cref="NumberKeyword"/>).</summary>
    public bool IntegerOnly => (_types & SchemaTypes.Integer) != 0 && (_types & SchemaTypes.Number) == 0;

    /// <summary>Set when <see cref="NumberKeyword"/> checks integers on its own reading of the number.</summary>
    public bool IntegerCheckDeferred { get; set; }

    public override bool Evaluate(ValidationState state, JsonElement instance, Span<ulong> evaluated)
    {
        var actual = instance.ValueKind switch
        {
            JsonValueKind.Null => SchemaTypes.Null,
            JsonValueKind.True or JsonValueKind.False => SchemaTypes.Boolean,
            JsonValueKind.Object => SchemaTypes.Object,
            JsonValueKind.Array => SchemaTypes.Array,
            JsonValueKind.String => SchemaTypes.String,
            JsonValueKind.Number => SchemaTypes.Number,
            _ => SchemaTypes.None,
        };
        if ((actual & _types) != 0)
        {
            return true;
        }

        if (actual == SchemaTypes.Number && (_types & SchemaTypes.Integer) != 0 && (IntegerCheckDeferred || JsonNumber.Of(instance).IsInteger))
        {
            return true;
        }

        return state.Collect && Fail(state, "must be " + Expected + ", but is " + Describe.Kind(instance));
    }

    public override bool SupportsStringInstance => true;

    public override bool EvaluateString(ValidationState state, ReadOnlySpan<char> value) => (_types & SchemaTypes.String) != 0;
}

/// <summary>
/// <c>enum</c> and <c>const</c>: candidates are grouped by kind so the instance is read once — strings compare as UTF-8
/// bytes (or through a hash set when there are many), numbers exactly by value, containers by deep equality.
/// </summary>
internal sealed class EnumKeyword : Keyword
{
    private const int SetThreshold = 8;

    private readonly JsonElement[] _values;
    private readonly byte[][] _utf8Strings;
    private readonly string[] _strings;
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>>? _stringSet;
    private readonly SchemaNumber[] _numbers;
    private readonly JsonElement[] _containers;
    private readonly bool _true;
    private readonly bool _false;
    private readonly bool _null;

    public EnumKeyword(string name, string location, JsonElement[] values)
        : base(name, location)
    {
        _values = values;
        _strings = values.Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!).ToArray();
        _utf8Strings = _strings.Select(System.Text.Encoding.UTF8.GetBytes).ToArray();
        if (_strings.Length > SetThreshold)
        {
            _stringSet = new HashSet<string>(_strings, StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
        }

        _numbers = values.Where(v => v.ValueKind == JsonValueKind.Number).Select(SchemaNumber.From).ToArray();
        _containers = values.Where(v => v.ValueKind is JsonValueKind.Object or JsonValueKind.Array).ToArray();
        _true = values.Any(v => v.ValueKind == JsonValueKind.True);
        _false = values.Any(v => v.ValueKind == JsonValueKind.False);
        _null = values.Any(v => v.ValueKind == JsonValueKind.Null);
    }

    /// <summary>The candidates that are strings (as UTF-8), in schema order.</summary>
    public IReadOnlyList<byte[]> Utf8Strings => _utf8Strings;

    /// <summary>Every candidate is a string.</summary>
    public bool StringsOnly => _strings.Length == _values.Length;

    public override bool Evaluate(ValidationState state, JsonElement instance, Span<ulong> evaluated)
    {
        if (Contains(instance, state))
        {
            return true;
        }

        if (!state.Collect || state.Stopped)
        {
            return false;
        }

        if (Name == "const")
        {
            return Fail(state, "must be exactly " + Describe.Constant(_values[0]) + ", but is " + Describe.Preview(instance));
        }

        return _values.Length == 0
            ? Fail(state, "is not allowed: the enum is empty")
            : Fail(state, "must be one of " + Describe.List(_values.Select(Describe.Constant).ToList()) + ", but is " + Describe.Preview(instance));
    }

    public override bool SupportsStringInstance => true;

    public override bool EvaluateString(ValidationState state, ReadOnlySpan<char> value)
    {
        if (_stringSet is { } set)
        {
            return set.Contains(value);
        }

        foreach (string candidate in _strings)
        {
            if (value.SequenceEqual(candidate))
            {
                return true;
            }
        }

        return false;
    }

    private bool Contains(JsonElement instance, ValidationState state)
    {
        switch (instance.ValueKind)
        {
            case JsonValueKind.String:
                return _strings.Length > 0 && ContainsString(JsonText.RawString(instance));
            case JsonValueKind.Number:
                if (_numbers.Length == 0)
                {
                    return false;
                }

                var number = JsonNumber.Of(instance);
                foreach (var candidate in _numbers)
                {
                    if (JsonNumber.ValueEquals(number, candidate.View))
                    {
                        return true;
                    }
                }

                return false;
            case JsonValueKind.True:
                return _true;
            case JsonValueKind.False:
                return _false;
            case JsonValueKind.Null:
                return _null;
            default:
                bool tooDeep = false;
                foreach (var candidate in _containers)
                {
                    if (JsonValueEquality.Equals(instance, candidate, state.MaxDepth, ref tooDeep))
                    {
                        return true;
                    }
                }

                if (tooDeep)
                {
                    state.ReportLimit(nameof(JsonSchemaOptions.MaxEvaluationDepth), Location, "is nested too deeply to compare with " + Name);
                }

                return false;
        }
    }

    private bool ContainsString(ReadOnlySpan<byte> raw)
    {
        if (_stringSet is null && !raw.Contains((byte)'\\'))
        {
            foreach (var candidate in _utf8Strings)
            {
                if (raw.SequenceEqual(candidate))
                {
                    return true;
                }
            }

            return false;
        }

        char[]? rented = null;
        Span<char> buffer = raw.Length <= JsonText.StackLimit ? stackalloc char[JsonText.StackLimit] : (rented = ArrayPool<char>.Shared.Rent(raw.Length));
        var text = buffer[..JsonText.Decode(raw, buffer)];
        bool found = false;
        if (_stringSet is { } set)
        {
            found = set.Contains(text);
        }
        else
        {
            foreach (string candidate in _strings)
            {
                if (text.SequenceEqual(candidate))
                {
                    found = true;
                    break;
                }
            }
        }

        if (rented is not null)
        {
            ArrayPool<char>.Shared.Return(rented);
        }

        return found;
    }
}
