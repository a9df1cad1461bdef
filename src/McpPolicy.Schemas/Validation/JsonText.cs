using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace McpPolicy.Schemas.Validation;

/// <summary>
/// Reads JSON string values straight from the document's UTF-8 bytes, so that validating a string costs no allocation:
/// escapes are decoded only when present, lengths are counted in Unicode code points.
/// </summary>
internal static class JsonText
{
    /// <summary>Stack buffers up to this many characters; larger strings rent from the shared pool.</summary>
    public const int StackLimit = 256;

    /// <summary>The raw (still escaped) UTF-8 bytes of a string value, without the quotes.</summary>
    public static ReadOnlySpan<byte> RawString(JsonElement value)
    {
        var raw = JsonMarshal.GetRawUtf8Value(value);
        return raw[1..^1];
    }

    /// <summary>The raw (still escaped) UTF-8 bytes of a property name.</summary>
    public static ReadOnlySpan<byte> RawName(JsonProperty property) => JsonMarshal.GetRawUtf8PropertyName(property);

    /// <summary>Counts code points (a surrogate pair is one; a lone surrogate is one).</summary>
    public static long CountCodePoints(ReadOnlySpan<byte> raw)
    {
        int escape = raw.IndexOf((byte)'\\');
        if (escape < 0)
        {
            return CountUtf8(raw);
        }

        long count = CountUtf8(raw[..escape]);
        int i = escape;
        while (i < raw.Length)
        {
            byte b = raw[i];
            if (b != (byte)'\\')
            {
                int next = raw[i..].IndexOf((byte)'\\');
                int end = next < 0 ? raw.Length : i + next;
                count += CountUtf8(raw[i..end]);
                i = end;
                continue;
            }

            if (raw[i + 1] == (byte)'u')
            {
                int unit = ParseHex4(raw.Slice(i + 2, 4));
                i += 6;
                if (char.IsHighSurrogate((char)unit) && i + 5 < raw.Length && raw[i] == (byte)'\\' && raw[i + 1] == (byte)'u'
                    && char.IsLowSurrogate((char)ParseHex4(raw.Slice(i + 2, 4))))
                {
                    i += 6;
                }
            }
            else
            {
                i += 2;
            }

            count++;
        }

        return count;
    }

    /// <summary>Counts the code points of decoded text (a surrogate pair is one).</summary>
    public static long CountCodePoints(ReadOnlySpan<char> text)
    {
        long count = text.Length;
        for (int i = 1; i < text.Length; i++)
        {
            if (char.IsLowSurrogate(text[i]) && char.IsHighSurrogate(text[i - 1]))
            {
                count--;
            }
        }

        return count;
    }

    /// <summary>Decodes a raw string (escapes and UTF-8) into UTF-16; <paramref name="destination"/> must hold <c>raw.Length</c> characters.</summary>
    /// <returns>The number of characters written.</returns>
    public static int Decode(ReadOnlySpan<byte> raw, Span<char> destination)
    {
        int escape = raw.IndexOf((byte)'\\');
        if (escape < 0)
        {
            return Encoding.UTF8.GetChars(raw, destination);
        }

        int written = Encoding.UTF8.GetChars(raw[..escape], destination);
        int i = escape;
        while (i < raw.Length)
        {
            if (raw[i] != (byte)'\\')
            {
                int next = raw[i..].IndexOf((byte)'\\');
                int end = next < 0 ? raw.Length : i + next;
                written += Encoding.UTF8.GetChars(raw[i..end], destination[written..]);
                i = end;
                continue;
            }

            byte kind = raw[i + 1];
            char c = kind switch
            {
                (byte)'n' => '\n',
                (byte)'t' => '\t',
                (byte)'r' => '\r',
                (byte)'b' => '\b',
                (byte)'f' => '\f',
                (byte)'u' => (char)ParseHex4(raw.Slice(i + 2, 4)),
                _ => (char)kind,
            };
            destination[written++] = c;
            i += kind == (byte)'u' ? 6 : 2;
        }

        return written;
    }

    /// <summary>Whether two raw strings denote the same value.</summary>
    public static bool ValueEquals(ReadOnlySpan<byte> rawA, ReadOnlySpan<byte> rawB)
    {
        bool escapedA = rawA.Contains((byte)'\\');
        bool escapedB = rawB.Contains((byte)'\\');
        if (!escapedA && !escapedB)
        {
            return rawA.SequenceEqual(rawB);
        }

        char[]? rentedA = null;
        char[]? rentedB = null;
        Span<char> a = rawA.Length <= StackLimit ? stackalloc char[StackLimit] : (rentedA = ArrayPool<char>.Shared.Rent(rawA.Length));
        Span<char> b = rawB.Length <= StackLimit ? stackalloc char[StackLimit] : (rentedB = ArrayPool<char>.Shared.Rent(rawB.Length));
        bool equal = a[..Decode(rawA, a)].SequenceEqual(b[..Decode(rawB, b)]);
        if (rentedA is not null)
        {
            ArrayPool<char>.Shared.Return(rentedA);
        }

        if (rentedB is not null)
        {
            ArrayPool<char>.Shared.Return(rentedB);
        }

        return equal;
    }

    /// <summary>A hash of the decoded value, equal for equal strings however they were escaped.</summary>
    public static int Hash(ReadOnlySpan<byte> raw)
    {
        char[]? rented = null;
        Span<char> buffer = raw.Length <= StackLimit ? stackalloc char[StackLimit] : (rented = ArrayPool<char>.Shared.Rent(raw.Length));
        int hash = string.GetHashCode(buffer[..Decode(raw, buffer)], StringComparison.Ordinal);
        if (rented is not null)
        {
            ArrayPool<char>.Shared.Return(rented);
        }

        return hash;
    }

    /// <summary>Escapes a JSON Pointer reference token (RFC 6901).</summary>
    public static string EscapePointerToken(string token)
        => token.Contains('~', StringComparison.Ordinal) || token.Contains('/', StringComparison.Ordinal)
            ? token.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal)
            : token;

    private static long CountUtf8(ReadOnlySpan<byte> utf8)
    {
        // Every code point has exactly one byte that is not a continuation byte (10xxxxxx).
        long continuation = 0;
        foreach (byte b in utf8)
        {
            if ((b & 0xC0) == 0x80)
            {
                continuation++;
            }
        }

        return utf8.Length - continuation;
    }

    private static int ParseHex4(ReadOnlySpan<byte> hex)
    {
        int value = 0;
        foreach (byte b in hex)
        {
            value = (value << 4) | (b switch
            {
                >= (byte)'0' and <= (byte)'9' => b - '0',
                >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
                _ => b - 'A' + 10,
            });
        }

        return value;
    }
}
