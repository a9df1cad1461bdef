using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace McpPolicy.Engine;

/// <summary>
/// One argument value and what conditions derive from it (its number, its length), each computed at most once.
/// Conditions on the same key within one decision share one instance, so the argument is looked up once per call
/// instead of once per condition. Starts unresolved (<c>default</c>).
/// </summary>
internal struct ValueFacts
{
    private const byte Unresolved = 0;
    private const byte Absent = 1;
    private const byte Present = 2;

    /// <summary><see cref="NumberKind"/>: neither a JSON number nor a string that spells one.</summary>
    public const byte NotANumber = 1;

    /// <summary><see cref="NumberKind"/>: a number that <see cref="Decimal"/> holds exactly.</summary>
    public const byte NumberDecimal = 2;

    /// <summary><see cref="NumberKind"/>: a number beyond decimal's range (compared as double).</summary>
    public const byte NumberBeyondDecimal = 3;

    private const byte NumberUnknown = 0;

    private const byte StringUnknown = 0;
    private const byte StringEscaped = 1;
    private const byte StringPlain = 2;

    private JsonElement _value;
    private decimal _decimal;
    private long _int64;
    private ulong _utf8Prefix;
    private int _utf8Length;
    private int _codePointsPlusOne;
    private JsonValueKind _kind;
    private byte _state;
    private byte _number;
    private byte _string;
    private bool _isInt64;

    /// <summary>The value (valid once resolved and present).</summary>
    public readonly JsonElement Value => _value;

    /// <summary>The value's kind (valid once resolved and present).</summary>
    public readonly JsonValueKind Kind => _kind;

    /// <summary>Facts about a value already at hand (an array element).</summary>
    public static ValueFacts Of(JsonElement value) => new() { _value = value, _kind = value.ValueKind, _state = Present };

    /// <summary>Looks the argument up the first time; true when it is present.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Resolve(ToolArguments arguments, string[] pointer, byte[]? firstKeyUtf8)
    {
        if (_state == Unresolved)
        {
            ResolveSlow(arguments, pointer, firstKeyUtf8);
        }

        return _state == Present;
    }

    /// <summary>
    /// The value as a number, as <see cref="CompiledCondition"/> compares it (a JSON number, or a string that spells a
    /// number): <see cref="NotANumber"/>, <see cref="NumberDecimal"/> or <see cref="NumberBeyondDecimal"/>. Computed once.
    /// </summary>
    public byte NumberKind
    {
        get
        {
            if (_number == NumberUnknown)
            {
                ComputeNumber();
            }

            return _number;
        }
    }

    /// <summary>The number, when <see cref="NumberKind"/> is <see cref="NumberDecimal"/>.</summary>
    public readonly decimal Decimal => _decimal;

    /// <summary>True when <see cref="Decimal"/> is a whole number within <see cref="long"/>'s range.</summary>
    public readonly bool IsInt64 => _isInt64;

    /// <summary><see cref="Decimal"/> as a <see cref="long"/>, when <see cref="IsInt64"/>.</summary>
    public readonly long Int64 => _int64;

    /// <summary>For a JSON number: <see cref="JsonElement.TryGetDecimal"/>, cached.</summary>
    public bool TryGetDecimal(out decimal value)
    {
        if (_number == NumberUnknown)
        {
            ComputeNumber();
        }

        value = _decimal;
        return _number == NumberDecimal;
    }

    /// <summary>For a JSON string: the length of its JSON text between the quotes, escapes as written (at least its length in code points).</summary>
    public readonly int WrittenLength => JsonMarshal.GetRawUtf8Value(_value).Length - 2;

    /// <summary>For a JSON string: its length in Unicode code points, cached.</summary>
    public int CodePoints()
    {
        if (_codePointsPlusOne == 0)
        {
            _codePointsPlusOne = CountCodePoints(_value) + 1;
        }

        return _codePointsPlusOne - 1;
    }

    /// <summary>
    /// For a JSON string: true when its (unescaped) text equals <paramref name="utf8"/>, whose <see cref="Prefix"/> is
    /// <paramref name="prefix"/>. Same result as <see cref="JsonElement.ValueEquals(ReadOnlySpan{byte})"/>; a value without
    /// escapes is told apart by length and first eight bytes, and strings of up to eight bytes need nothing more.
    /// </summary>
    public bool StringEquals(byte[] utf8, ulong prefix)
    {
        if (_string == StringUnknown)
        {
            var raw = JsonMarshal.GetRawUtf8Value(_value);
            raw = raw[1..^1];
            if (raw.IndexOf((byte)'\\') >= 0)
            {
                _string = StringEscaped;
            }
            else
            {
                _utf8Length = raw.Length;
                _utf8Prefix = Prefix(raw);
                _string = StringPlain;
            }
        }

        if (_string == StringPlain)
        {
            if (_utf8Length != utf8.Length || _utf8Prefix != prefix)
            {
                return false;
            }

            if (utf8.Length <= sizeof(ulong))
            {
                return true;
            }
        }

        return _value.ValueEquals(utf8);
    }

    /// <summary>The first eight bytes of UTF-8 text (zero-padded), as one number.</summary>
    public static ulong Prefix(ReadOnlySpan<byte> utf8)
    {
        Span<byte> buffer = stackalloc byte[sizeof(ulong)];
        buffer.Clear();
        utf8[..Math.Min(utf8.Length, sizeof(ulong))].CopyTo(buffer);
        return BitConverter.ToUInt64(buffer);
    }

    private void ResolveSlow(ToolArguments arguments, string[] pointer, byte[]? firstKeyUtf8)
    {
        if (arguments.TryResolve(pointer, firstKeyUtf8, out _value))
        {
            _kind = _value.ValueKind;
            _state = Present;
        }
        else
        {
            _state = Absent;
        }
    }

    private void ComputeNumber()
    {
        if (!CompiledCondition.TryGetNumber(_value, out var number))
        {
            _number = NotANumber;
        }
        else if (number is { } d)
        {
            _decimal = d;
            _number = NumberDecimal;
            if (decimal.IsInteger(d) && d >= long.MinValue && d <= long.MaxValue)
            {
                _int64 = (long)d;
                _isInt64 = true;
            }
        }
        else
        {
            _number = NumberBeyondDecimal;
        }
    }

    private static int CountCodePoints(JsonElement value)
    {
        var raw = JsonMarshal.GetRawUtf8Value(value);
        raw = raw[1..^1];
        var codePoints = 0;
        if (raw.IndexOf((byte)'\\') >= 0)
        {
            // Escaped: count the unescaped text (a surrogate pair is one code point).
            var text = value.GetString()!;
            for (var i = 0; i < text.Length; i++)
            {
                if (!char.IsLowSurrogate(text[i]))
                {
                    codePoints++;
                }
            }

            return codePoints;
        }

        if (Ascii.IsValid(raw))
        {
            // One byte per code point (checked vectorized, where the loop below walks byte by byte).
            return raw.Length;
        }

        foreach (var b in raw)
        {
            if ((b & 0xC0) != 0x80)
            {
                codePoints++;
            }
        }

        return codePoints;
    }
}

/// <summary>Per-decision storage for the facts of up to <see cref="Capacity"/> distinct argument keys, on the stack.</summary>
[InlineArray(Capacity)]
internal struct ArgumentSlots
{
    /// <summary>Keys beyond this many in one plan are looked up per condition (slot -1), which is correct, just slower.</summary>
    public const int Capacity = 8;

#pragma warning disable IDE0044, IDE0051, CA1823 // The inline array's element storage.
    private ValueFacts _element0;
#pragma warning restore IDE0044, IDE0051, CA1823
}

/// <summary>
/// <see cref="ArgumentSlots"/> for plans whose conditions test at most <see cref="Capacity"/> keys (most do): a quarter of the stack to
/// clear per decision.
/// </summary>
[InlineArray(Capacity)]
internal struct FewArgumentSlots
{
    /// <summary>How many keys fit.</summary>
    public const int Capacity = 2;

#pragma warning disable IDE0044, IDE0051, CA1823 // The inline array's element storage.
    private ValueFacts _element0;
#pragma warning restore IDE0044, IDE0051, CA1823
}
