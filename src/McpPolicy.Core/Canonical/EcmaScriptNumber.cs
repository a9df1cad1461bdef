using System.Globalization;

namespace McpPolicy;

/// <summary>
/// Formats a double the way ECMAScript's Number.prototype.toString does (ECMA-262 Number::toString), which RFC 8785
/// prescribes for JSON numbers: the shortest digits that round-trip, then a fixed rule for where the point and exponent go.
/// </summary>
internal static class EcmaScriptNumber
{
    /// <summary>The longest possible output: sign, 17 digits, a point, and up to 20 padding zeros or an exponent.</summary>
    public const int MaxLength = 40;

    /// <summary>Writes <paramref name="value"/> as ASCII and returns the number of bytes written.</summary>
    /// <exception cref="ArgumentException">The value is NaN or infinite.</exception>
    public static int Format(double value, Span<byte> destination)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentException("NaN and infinities have no JSON form.", nameof(value));
        }

        if (value == 0)
        {
            // Both +0 and -0.
            destination[0] = (byte)'0';
            return 1;
        }

        // .NET's "R" format gives the shortest round-trip digits (and the closest such, as ECMAScript requires),
        // spelled as [-]d[.ddd][E±x]; only the spelling is changed below.
        Span<char> text = stackalloc char[32];
        if (!value.TryFormat(text, out var length, "R", CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("The number could not be formatted.");
        }

        text = text[..length];
        var pos = 0;
        var negative = text[0] == '-';
        if (negative)
        {
            text = text[1..];
        }

        // Collect the significant digits and the count of digits before the point.
        Span<byte> digits = stackalloc byte[24];
        var digitCount = 0;
        var integerDigits = 0;
        var seenPoint = false;
        var leadingZeros = 0;
        var exponent = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '.')
            {
                seenPoint = true;
            }
            else if (c is 'E' or 'e')
            {
                exponent = int.Parse(text[(i + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
                break;
            }
            else
            {
                if (!seenPoint)
                {
                    integerDigits++;
                }

                if (c == '0' && digitCount == 0)
                {
                    leadingZeros++;
                }
                else
                {
                    digits[digitCount++] = (byte)c;
                }
            }
        }

        while (digitCount > 1 && digits[digitCount - 1] == '0')
        {
            digitCount--;
        }

        // value = 0.d1d2...dk × 10^n, as ECMA-262 defines k and n.
        var k = digitCount;
        var n = integerDigits - leadingZeros + exponent;
        if (negative)
        {
            destination[pos++] = (byte)'-';
        }

        if (k <= n && n <= 21)
        {
            digits[..k].CopyTo(destination[pos..]);
            pos += k;
            destination.Slice(pos, n - k).Fill((byte)'0');
            pos += n - k;
        }
        else if (0 < n && n <= 21)
        {
            digits[..n].CopyTo(destination[pos..]);
            pos += n;
            destination[pos++] = (byte)'.';
            digits[n..k].CopyTo(destination[pos..]);
            pos += k - n;
        }
        else if (-6 < n && n <= 0)
        {
            destination[pos++] = (byte)'0';
            destination[pos++] = (byte)'.';
            destination.Slice(pos, -n).Fill((byte)'0');
            pos += -n;
            digits[..k].CopyTo(destination[pos..]);
            pos += k;
        }
        else
        {
            destination[pos++] = digits[0];
            if (k > 1)
            {
                destination[pos++] = (byte)'.';
                digits[1..k].CopyTo(destination[pos..]);
                pos += k - 1;
            }

            destination[pos++] = (byte)'e';
            var e = n - 1;
            destination[pos++] = e < 0 ? (byte)'-' : (byte)'+';
            e = Math.Abs(e);
            if (!e.TryFormat(destination[pos..], out var expLength, default, CultureInfo.InvariantCulture))
            {
                throw new InvalidOperationException("The exponent could not be formatted.");
            }

            pos += expLength;
        }

        return pos;
    }
}
