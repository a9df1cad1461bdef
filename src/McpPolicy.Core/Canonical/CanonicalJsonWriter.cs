using System.Buffers;
using System.Text;
using System.Text.Json;

namespace McpPolicy;

/// <summary>Writes RFC 8785 canonical JSON to a buffer.</summary>
internal static class CanonicalJsonWriter
{
    private static ReadOnlySpan<byte> HexDigits => "0123456789abcdef"u8;

    public static void WriteValue(IBufferWriter<byte> output, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                WriteObject(output, value);
                break;
            case JsonValueKind.Array:
                WriteByte(output, (byte)'[');
                var first = true;
                foreach (var item in value.EnumerateArray())
                {
                    if (!first)
                    {
                        WriteByte(output, (byte)',');
                    }

                    WriteValue(output, item);
                    first = false;
                }

                WriteByte(output, (byte)']');
                break;
            case JsonValueKind.String:
                WriteString(output, GetString(value));
                break;
            case JsonValueKind.Number:
                WriteNumber(output, value);
                break;
            case JsonValueKind.True:
                output.Write("true"u8);
                break;
            case JsonValueKind.False:
                output.Write("false"u8);
                break;
            case JsonValueKind.Null:
                output.Write("null"u8);
                break;
            default:
                throw new ArgumentException("An undefined JSON value has no canonical form.", nameof(value));
        }
    }

    public static void WriteByte(IBufferWriter<byte> output, byte value)
    {
        output.GetSpan(1)[0] = value;
        output.Advance(1);
    }

    /// <summary>Writes a string literal: only '"', '\' and U+0000..U+001F are escaped, with the short forms where JSON has them.</summary>
    public static void WriteString(IBufferWriter<byte> output, string value)
    {
        WriteByte(output, (byte)'"');
        var rest = value.AsSpan();
        while (!rest.IsEmpty)
        {
            var c = rest[0];
            if (c < 0x80)
            {
                WriteAscii(output, c);
                rest = rest[1..];
                continue;
            }

            if (Rune.DecodeFromUtf16(rest, out var rune, out var consumed) != OperationStatus.Done)
            {
                throw new ArgumentException("A JSON string with an unpaired surrogate is not I-JSON and has no canonical form.", nameof(value));
            }

            var span = output.GetSpan(4);
            var written = rune.EncodeToUtf8(span);
            output.Advance(written);
            rest = rest[consumed..];
        }

        WriteByte(output, (byte)'"');
    }

    private static void WriteAscii(IBufferWriter<byte> output, char c)
    {
        switch (c)
        {
            case '"':
                output.Write("\\\""u8);
                return;
            case '\\':
                output.Write("\\\\"u8);
                return;
            case '\b':
                output.Write("\\b"u8);
                return;
            case '\f':
                output.Write("\\f"u8);
                return;
            case '\n':
                output.Write("\\n"u8);
                return;
            case '\r':
                output.Write("\\r"u8);
                return;
            case '\t':
                output.Write("\\t"u8);
                return;
        }

        if (c < 0x20)
        {
            var span = output.GetSpan(6);
            span[0] = (byte)'\\';
            span[1] = (byte)'u';
            span[2] = (byte)'0';
            span[3] = (byte)'0';
            span[4] = HexDigits[c >> 4];
            span[5] = HexDigits[c & 0xF];
            output.Advance(6);
            return;
        }

        WriteByte(output, (byte)c);
    }

    private static void WriteObject(IBufferWriter<byte> output, JsonElement value)
    {
        var count = 0;
        foreach (var unused in value.EnumerateObject())
        {
            count++;
        }

        if (count == 0)
        {
            output.Write("{}"u8);
            return;
        }

        var names = new string[count];
        var values = new JsonElement[count];
        var i = 0;
        foreach (var property in value.EnumerateObject())
        {
            names[i] = GetName(property);
            values[i] = property.Value;
            i++;
        }

        // RFC 8785 §3.2.3: members sorted by the UTF-16 code units of their names, which is what ordinal comparison does.
        Array.Sort(names, values, StringComparer.Ordinal);
        WriteByte(output, (byte)'{');
        for (i = 0; i < count; i++)
        {
            if (i > 0)
            {
                if (string.Equals(names[i - 1], names[i], StringComparison.Ordinal))
                {
                    throw new ArgumentException($"The JSON object has the property '{names[i]}' more than once, so it is not I-JSON and has no canonical form.", nameof(value));
                }

                WriteByte(output, (byte)',');
            }

            WriteString(output, names[i]);
            WriteByte(output, (byte)':');
            WriteValue(output, values[i]);
        }

        WriteByte(output, (byte)'}');
    }

    private static void WriteNumber(IBufferWriter<byte> output, JsonElement value)
    {
        // TryGetDouble reports success with ±Infinity for literals beyond the double range, so finiteness is checked too.
        if (!value.TryGetDouble(out var number) || !double.IsFinite(number))
        {
            throw new ArgumentException($"The JSON number {value.GetRawText()} is outside the IEEE 754 double range, so it is not I-JSON and has no canonical form.", nameof(value));
        }

        var span = output.GetSpan(EcmaScriptNumber.MaxLength);
        var written = EcmaScriptNumber.Format(number, span);
        output.Advance(written);
    }

    private static string GetName(JsonProperty property)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException ex)
        {
            throw new ArgumentException("A JSON property name with an unpaired surrogate is not I-JSON and has no canonical form.", nameof(property), ex);
        }
    }

    private static string GetString(JsonElement value)
    {
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException ex)
        {
            throw new ArgumentException("A JSON string with an unpaired surrogate is not I-JSON and has no canonical form.", nameof(value), ex);
        }
    }
}
