using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace McpPolicy.Schemas.Validation;

/// <summary>
/// An exact view of a JSON number's text: sign, significant digits and a decimal exponent, with the value
/// 0.d1d2d3… × 10^<see cref="Exponent"/>. Comparisons, equality and integer checks are exact for any size and precision,
/// so 1.0 is an integer, 1e400 compares correctly and two spellings of one value are equal.
/// </summary>
internal readonly ref struct JsonNumber
{
    private const long ExponentClamp = 1L << 52;

    private readonly ReadOnlySpan<byte> _mantissa;
    private readonly int _first;
    private readonly int _last;
    private readonly int _dot;

    private JsonNumber(ReadOnlySpan<byte> mantissa, int first, int last, int dot, long exponent, bool negative, int digitCount)
    {
        _mantissa = mantissa;
        _first = first;
        _last = last;
        _dot = dot;
        Exponent = exponent;
        Negative = negative;
        DigitCount = digitCount;
    }

    /// <summary>The scientific exponent (value = 0.digits × 10^Exponent); 0 for zero.</summary>
    public long Exponent { get; }

    /// <summary>Whether the value is below zero (never true for zero).</summary>
    public bool Negative { get; }

    /// <summary>The number of significant digits (0 for zero).</summary>
    public int DigitCount { get; }

    /// <summary>Whether the value is zero.</summary>
    public bool IsZero => DigitCount == 0;

    /// <summary>Whether the value has no fractional part.</summary>
    public bool IsInteger => IsZero || Exponent >= DigitCount;

    /// <summary>A view of a JSON number element.</summary>
    public static JsonNumber Of(JsonElement number) => Parse(JsonMarshal.GetRawUtf8Value(number));

    /// <summary>Parses JSON number text (already validated by the JSON reader).</summary>
    public static JsonNumber Parse(ReadOnlySpan<byte> text)
    {
        bool negative = text.Length > 0 && text[0] == (byte)'-';
        int start = negative ? 1 : 0;
        int end = start;
        int dot = -1;
        while (end < text.Length && text[end] != (byte)'e' && text[end] != (byte)'E')
        {
            if (text[end] == (byte)'.')
            {
                dot = end - start;
            }

            end++;
        }

        long exp10 = 0;
        if (end < text.Length)
        {
            int i = end + 1;
            bool expNegative = false;
            if (text[i] == (byte)'-' || text[i] == (byte)'+')
            {
                expNegative = text[i] == (byte)'-';
                i++;
            }

            for (; i < text.Length; i++)
            {
                exp10 = Math.Min(exp10 * 10 + (text[i] - '0'), ExponentClamp);
            }

            if (expNegative)
            {
                exp10 = -exp10;
            }
        }

        var mantissa = text[start..end];
        int first = -1;
        int last = -1;
        for (int i = 0; i < mantissa.Length; i++)
        {
            byte b = mantissa[i];
            if (b is >= (byte)'1' and <= (byte)'9')
            {
                if (first < 0)
                {
                    first = i;
                }

                last = i;
            }
        }

        if (first < 0)
        {
            return new JsonNumber(mantissa, -1, -1, dot, 0, false, 0);
        }

        int integerDigits = dot < 0 ? mantissa.Length : dot;
        long exponent = first < integerDigits ? integerDigits - first + exp10 : integerDigits - first + 1 + exp10;
        int digitCount = last - first + 1 - (dot > first && dot < last ? 1 : 0);
        return new JsonNumber(mantissa, first, last, dot, exponent, negative, digitCount);
    }

    /// <summary>A view over normalized digits (no dot, no leading or trailing zeros).</summary>
    public static JsonNumber FromDigits(ReadOnlySpan<byte> digits, long exponent, bool negative)
        => digits.IsEmpty
            ? new JsonNumber(digits, -1, -1, -1, 0, false, 0)
            : new JsonNumber(digits, 0, digits.Length - 1, -1, exponent, negative, digits.Length);

    /// <summary>Compares two numbers exactly.</summary>
    public static int Compare(in JsonNumber a, in JsonNumber b)
    {
        int signA = a.IsZero ? 0 : a.Negative ? -1 : 1;
        int signB = b.IsZero ? 0 : b.Negative ? -1 : 1;
        if (signA != signB)
        {
            return signA.CompareTo(signB);
        }

        if (signA == 0)
        {
            return 0;
        }

        int magnitude = CompareMagnitude(a, b);
        return signA < 0 ? -magnitude : magnitude;
    }

    /// <summary>Whether two numbers are equal in value.</summary>
    public static bool ValueEquals(in JsonNumber a, in JsonNumber b) => Compare(a, b) == 0;

    /// <summary>A hash equal for equal values.</summary>
    public int ValueHash()
    {
        if (IsZero)
        {
            return 0;
        }

        var hash = default(HashCode);
        hash.Add(Negative);
        hash.Add(Exponent);
        for (int i = _first; i <= _last; i++)
        {
            if (i != _dot)
            {
                hash.Add(_mantissa[i]);
            }
        }

        return hash.ToHashCode();
    }

    /// <summary>Copies the significant digits (ASCII) into a new array.</summary>
    public byte[] CopyDigits()
    {
        var digits = new byte[DigitCount];
        int k = 0;
        for (int i = _first; i <= _last && k < digits.Length; i++)
        {
            if (i != _dot)
            {
                digits[k++] = _mantissa[i];
            }
        }

        return digits;
    }

    /// <summary>The value as an Int64 when it is an integer in range; saturates otherwise.</summary>
    public long ToSaturatedInt64()
    {
        if (IsZero || Exponent <= 0)
        {
            return 0;
        }

        if (Exponent > 18)
        {
            return Negative ? long.MinValue : long.MaxValue;
        }

        long value = 0;
        int k = 0;
        for (int i = _first; i <= _last; i++)
        {
            if (i == _dot)
            {
                continue;
            }

            if (k++ >= Exponent)
            {
                break;
            }

            value = value * 10 + (_mantissa[i] - '0');
        }

        for (; k < Exponent; k++)
        {
            value *= 10;
        }

        return Negative ? -value : value;
    }

    /// <summary>The value as a decimal when it is exactly representable.</summary>
    public bool TryToDecimal(out decimal value)
    {
        value = 0;
        if (IsZero)
        {
            return true;
        }

        long scale = DigitCount - Exponent;
        if (DigitCount > 28 || scale > 28 || Exponent > 28)
        {
            return false;
        }

        UInt128 mantissa = 0;
        for (int i = _first; i <= _last; i++)
        {
            if (i != _dot)
            {
                mantissa = mantissa * 10 + (uint)(_mantissa[i] - '0');
            }
        }

        for (long s = scale; s < 0; s++)
        {
            mantissa *= 10;
        }

        if (mantissa >> 96 != 0)
        {
            return false;
        }

        value = new decimal((int)(uint)mantissa, (int)(uint)(mantissa >> 32), (int)(uint)(mantissa >> 64), Negative, (byte)Math.Max(scale, 0));
        return true;
    }

    /// <summary>Whether this value is an integer multiple of <paramref name="divisor"/> (exact, any size).</summary>
    public bool IsMultipleOf(in JsonNumber divisor)
    {
        if (IsZero)
        {
            return true;
        }

        if (divisor.IsZero)
        {
            return false;
        }

        if (TryToDecimal(out var v) && divisor.TryToDecimal(out var d))
        {
            return v % d == 0m;
        }

        // value = V × 10^a and divisor = D × 10^b with V and D not divisible by 10 (trailing zeros were stripped).
        // If a < b the quotient needs 10 | V, impossible; otherwise test V × 10^(a−b) ≡ 0 (mod D) with modular exponentiation.
        long a = Exponent - DigitCount;
        long b = divisor.Exponent - divisor.DigitCount;
        if (a < b)
        {
            return false;
        }

        var bigV = ToBigInteger();
        var bigD = divisor.ToBigInteger();
        var remainder = bigV % bigD * BigInteger.ModPow(10, a - b, bigD) % bigD;
        return remainder.IsZero;
    }

    /// <summary>The text of the value for messages.</summary>
    public override string ToString()
    {
        if (IsZero)
        {
            return "0";
        }

        var builder = new StringBuilder();
        if (Negative)
        {
            builder.Append('-');
        }

        builder.Append(Encoding.ASCII.GetString(CopyDigits()));
        long scale = DigitCount - Exponent;
        if (scale > 0 && scale < 30)
        {
            if (scale >= DigitCount)
            {
                builder.Insert(Negative ? 1 : 0, "0." + new string('0', (int)(scale - DigitCount)));
            }
            else
            {
                builder.Insert(builder.Length - (int)scale, '.');
            }
        }
        else if (scale < 0 && scale > -30)
        {
            builder.Append('0', (int)-scale);
        }
        else if (scale != 0)
        {
            builder.Append('e').Append((-scale).ToString(CultureInfo.InvariantCulture));
        }

        return builder.ToString();
    }

    private BigInteger ToBigInteger()
    {
        var digits = CopyDigits();
        return BigInteger.Parse(Encoding.ASCII.GetString(digits), NumberStyles.None, CultureInfo.InvariantCulture);
    }

    private static int CompareMagnitude(in JsonNumber a, in JsonNumber b)
    {
        if (a.Exponent != b.Exponent)
        {
            return a.Exponent.CompareTo(b.Exponent);
        }

        int i = a._first;
        int j = b._first;
        while (true)
        {
            if (i == a._dot)
            {
                i++;
            }

            if (j == b._dot)
            {
                j++;
            }

            bool endA = i > a._last;
            bool endB = j > b._last;
            if (endA || endB)
            {
                return endA == endB ? 0 : endA ? -1 : 1;
            }

            int c = a._mantissa[i] - b._mantissa[j];
            if (c != 0)
            {
                return Math.Sign(c);
            }

            i++;
            j++;
        }
    }
}

/// <summary>A number constant taken from a schema, stored normalized so that instance numbers compare to it exactly.</summary>
internal sealed class SchemaNumber
{
    private readonly byte[] _digits;

    private SchemaNumber(byte[] digits, long exponent, bool negative, string text)
    {
        _digits = digits;
        Exponent = exponent;
        Negative = negative;
        Text = text;
    }

    /// <summary>The scientific exponent.</summary>
    public long Exponent { get; }

    /// <summary>Whether the value is negative.</summary>
    public bool Negative { get; }

    /// <summary>The number as the schema wrote it.</summary>
    public string Text { get; }

    /// <summary>An exact view of the value.</summary>
    public JsonNumber View => JsonNumber.FromDigits(_digits, Exponent, Negative);

    /// <summary>Reads a number element of a schema.</summary>
    public static SchemaNumber From(JsonElement number)
    {
        var view = JsonNumber.Of(number);
        return new SchemaNumber(view.CopyDigits(), view.Exponent, view.Negative, number.GetRawText());
    }
}
