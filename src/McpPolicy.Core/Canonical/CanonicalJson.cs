using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace McpPolicy;

/// <summary>
/// RFC 8785 JSON Canonicalization Scheme (JCS): object members sorted by UTF-16 code units, numbers in ECMAScript
/// shortest form, minimal string escaping, no whitespace. Equal JSON values give equal bytes, so their hashes can bind approvals and pins.
/// </summary>
public static class CanonicalJson
{
    /// <summary>Maximum nesting the canonicalizer accepts; deeper input is rejected rather than risking the stack.</summary>
    public const int MaxDepth = 256;

    /// <summary>Serializes a JSON value canonically as UTF-8.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The canonical bytes.</returns>
    /// <exception cref="ArgumentException">The value is undefined, nested deeper than <see cref="MaxDepth"/>, or holds a number JCS cannot represent.</exception>
    public static byte[] Serialize(JsonElement value)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        Write(buffer, value);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes a JSON value canonically.</summary>
    /// <param name="output">The destination.</param>
    /// <param name="value">The value.</param>
    public static void Write(IBufferWriter<byte> output, JsonElement value)
    {
        ArgumentNullException.ThrowIfNull(output);
        WriteValue(output, value, 0);
    }

    /// <summary>Serializes a JSON value canonically as a string.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The canonical text.</returns>
    public static string ToText(JsonElement value) => Encoding.UTF8.GetString(Serialize(value));

    /// <summary>The lower-case hex SHA-256 of the canonical form.</summary>
    /// <param name="value">The value.</param>
    /// <returns>64 hex characters.</returns>
    public static string Sha256(JsonElement value) => Convert.ToHexStringLower(SHA256.HashData(Serialize(value)));

    /// <summary>Formats a double as ECMAScript's Number.prototype.toString does (RFC 8785 section 3.2.2.3).</summary>
    /// <param name="value">A finite number.</param>
    /// <returns>The text.</returns>
    public static string FormatNumber(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentException("JSON has no representation for NaN or infinity.", nameof(value));
        }

        if (value == 0)
        {
            return "0";
        }

        // "E16" is not shortest; "R" is the shortest round-trip form. Take its digits and decimal exponent.
        var r = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        string digits;
        int exponent;
        var e = r.IndexOfAny(['E', 'e']);
        var mantissa = e >= 0 ? r[..e] : r;
        var exp = e >= 0 ? int.Parse(r[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) : 0;
        var dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        var intPart = dot >= 0 ? mantissa[..dot] : mantissa;
        var fracPart = dot >= 0 ? mantissa[(dot + 1)..] : "";
        digits = (intPart + fracPart).TrimStart('0');
        var leadingZeros = (intPart + fracPart).Length - digits.Length;
        exponent = intPart.Length + exp - leadingZeros; // position of the decimal point relative to the first significant digit
        digits = digits.TrimEnd('0');
        var k = digits.Length;
        var n = exponent;
        var sb = new StringBuilder(32);
        if (value < 0)
        {
            sb.Append('-');
        }

        if (k <= n && n <= 21)
        {
            sb.Append(digits).Append('0', n - k);
        }
        else if (0 < n && n <= 21)
        {
            sb.Append(digits, 0, n).Append('.').Append(digits, n, k - n);
        }
        else if (-6 < n && n <= 0)
        {
            sb.Append("0.").Append('0', -n).Append(digits);
        }
        else
        {
            sb.Append(digits[0]);
            if (k > 1)
            {
                sb.Append('.').Append(digits, 1, k - 1);
            }

            sb.Append('e').Append(n - 1 >= 0 ? "+" : "-").Append(Math.Abs(n - 1).ToString(CultureInfo.InvariantCulture));
        }

        return sb.ToString();
    }

    private static void WriteValue(IBufferWriter<byte> output, JsonElement value, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new ArgumentException($"The JSON value is nested deeper than {MaxDepth} levels.", nameof(value));
        }

        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                var members = new List<(string Name, JsonElement Value)>();
                foreach (var p in value.EnumerateObject())
                {
                    members.Add((p.Name, p.Value));
                }

                members.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
                WriteRaw(output, "{");
                for (var i = 0; i < members.Count; i++)
                {
                    if (i > 0)
                    {
                        if (string.Equals(members[i].Name, members[i - 1].Name, StringComparison.Ordinal))
                        {
                            throw new ArgumentException($"The JSON object has the member '{members[i].Name}' twice.", nameof(value));
                        }

                        WriteRaw(output, ",");
                    }

                    WriteString(output, members[i].Name);
                    WriteRaw(output, ":");
                    WriteValue(output, members[i].Value, depth + 1);
                }

                WriteRaw(output, "}");
                break;
            case JsonValueKind.Array:
                WriteRaw(output, "[");
                var first = true;
                foreach (var item in value.EnumerateArray())
                {
                    if (!first)
                    {
                        WriteRaw(output, ",");
                    }

                    first = false;
                    WriteValue(output, item, depth + 1);
                }

                WriteRaw(output, "]");
                break;
            case JsonValueKind.String:
                WriteString(output, value.GetString()!);
                break;
            case JsonValueKind.Number:
                var d = value.GetDouble();
                if (!double.IsFinite(d))
                {
                    throw new ArgumentException("The JSON number is outside the IEEE 754 double range JCS requires.", nameof(value));
                }

                WriteRaw(output, FormatNumber(d));
                break;
            case JsonValueKind.True:
                WriteRaw(output, "true");
                break;
            case JsonValueKind.False:
                WriteRaw(output, "false");
                break;
            case JsonValueKind.Null:
                WriteRaw(output, "null");
                break;
            default:
                throw new ArgumentException("An undefined JSON value has no canonical form.", nameof(value));
        }
    }

    private static void WriteString(IBufferWriter<byte> output, string s)
    {
        var sb = new StringBuilder(s.Length + 2);
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c < 0x20)
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        sb.Append('"');
        WriteRaw(output, sb.ToString());
    }

    private static void WriteRaw(IBufferWriter<byte> output, string text)
    {
        var span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        var n = Encoding.UTF8.GetBytes(text, span);
        output.Advance(n);
    }
}
