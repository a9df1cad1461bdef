using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace McpPolicy.Chains;

/// <summary>
/// The text normalization taint works on: case folded (invariant), every run of whitespace collapsed to one space, and
/// invisible format characters (zero-width, bidi controls) dropped.
/// </summary>
internal static class TaintText
{
    /// <summary>Normalizes <paramref name="source"/> into <paramref name="destination"/> (at least as long) and returns the length written.</summary>
    public static int Normalize(ReadOnlySpan<char> source, Span<char> destination)
    {
        var n = 0;
        var space = false;
        var i = 0;
        while (i < source.Length)
        {
            // A run of printable ASCII only needs lower-casing and its double spaces collapsed (both vectorized).
            var rest = source[i..];
            var plain = rest.IndexOfAnyExceptInRange(' ', '~');
            if (plain < 0)
            {
                plain = rest.Length;
            }

            if (plain > 0)
            {
                var run = rest[..plain];
                i += plain;
                if (space && run[0] == ' ')
                {
                    var first = run.IndexOfAnyExcept(' ');
                    if (first < 0)
                    {
                        continue;
                    }

                    run = run[first..];
                }

                Ascii.ToLower(run, destination[n..], out var written);
                var twoSpaces = run.IndexOf("  ", StringComparison.Ordinal);
                if (twoSpaces >= 0)
                {
                    // Everything before the first double space is already final.
                    written = twoSpaces + CollapseSpaces(destination.Slice(n + twoSpaces, written - twoSpaces));
                }

                n += written;
                space = destination[n - 1] == ' ';
                if (i >= source.Length)
                {
                    break;
                }
            }

            var c = source[i++];
            char folded;
            if (c < 0x80)
            {
                if (c is '\t' or '\n' or '\r' or '\v' or '\f')
                {
                    folded = ' ';
                }
                else
                {
                    // The other ASCII controls (printable ASCII was handled above).
                    continue;
                }
            }
            else if (char.IsWhiteSpace(c))
            {
                folded = ' ';
            }
            else if (CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.Control)
            {
                // Zero-width, bidi and other controls: invisible, so a model copying the text drops them.
                continue;
            }
            else
            {
                folded = char.ToLowerInvariant(c);
            }

            if (folded == ' ')
            {
                // A line break or tab: the white space after it (CR LF, indentation) collapses too, so skip it here
                // rather than going back to the run search for each character.
                while (i < source.Length && source[i] is ' ' or '\t' or '\n' or '\r' or '\v' or '\f')
                {
                    i++;
                }

                if (space)
                {
                    continue;
                }

                space = true;
            }
            else
            {
                space = false;
            }

            destination[n++] = folded;
        }

        return n;
    }

    /// <summary>Keeps the first space of every run of spaces in <paramref name="text"/>, in place; returns the new length.</summary>
    private static int CollapseSpaces(Span<char> text)
    {
        var n = 0;
        var space = false;
        foreach (var c in text)
        {
            if (c == ' ')
            {
                if (space)
                {
                    continue;
                }

                space = true;
            }
            else
            {
                space = false;
            }

            text[n++] = c;
        }

        return n;
    }

    /// <summary>The normalized form of a string.</summary>
    public static string Normalize(string source)
    {
        var buffer = source.Length <= 512 ? stackalloc char[source.Length] : new char[source.Length];
        var n = Normalize(source, buffer);
        return new string(buffer[..n]);
    }

    /// <summary>
    /// Calls <paramref name="visit"/> with the text of every string and number in <paramref name="value"/> (not property names),
    /// decoded without allocating when the JSON has no escapes. <paramref name="path"/> holds the segments leading to the value.
    /// </summary>
    public static bool Walk<TState>(JsonElement value, List<PathSegment> path, ref TState state, TextVisitor<TState> visit)
        => WalkCore(value, 0, normalized: false, path, ref state, visit);

    /// <summary>The walk of <see cref="Walk"/> and <see cref="WalkNormalized"/>: each string and number goes to the one or the other visit.</summary>
    private static bool WalkCore<TState>(JsonElement value, int minLength, bool normalized, List<PathSegment> path, ref TState state, TextVisitor<TState> visit)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in value.EnumerateObject())
                {
                    path.Add(new PathSegment(property, -1));
                    var stop = WalkCore(property.Value, minLength, normalized, path, ref state, visit);
                    path.RemoveAt(path.Count - 1);
                    if (stop)
                    {
                        return true;
                    }
                }

                return false;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    path.Add(new PathSegment(default, index++));
                    var stop = WalkCore(item, minLength, normalized, path, ref state, visit);
                    path.RemoveAt(path.Count - 1);
                    if (stop)
                    {
                        return true;
                    }
                }

                return false;
            case JsonValueKind.String:
            case JsonValueKind.Number:
                return normalized ? VisitNormalized(value, minLength, path, ref state, visit) : VisitText(value, path, ref state, visit);
            default:
                return false;
        }
    }

    private static bool VisitText<TState>(JsonElement value, List<PathSegment> path, ref TState state, TextVisitor<TState> visit)
    {
        var raw = JsonMarshal.GetRawUtf8Value(value);
        if (value.ValueKind == JsonValueKind.String)
        {
            raw = raw[1..^1];
            if (raw.Contains((byte)'\\'))
            {
                return visit(value.GetString().AsSpan(), path, ref state);
            }
        }

        if (raw.Length <= 1024)
        {
            Span<char> chars = stackalloc char[raw.Length];
            var n = Encoding.UTF8.GetChars(raw, chars);
            return visit(chars[..n], path, ref state);
        }

        var rented = ArrayPool<char>.Shared.Rent(raw.Length);
        try
        {
            var n = Encoding.UTF8.GetChars(raw, rented);
            return visit(rented.AsSpan(0, n), path, ref state);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// Like <see cref="Walk"/>, but hands <paramref name="visit"/> the <em>normalized</em> text of every string and number whose
    /// decoded text has at least <paramref name="minLength"/> characters (shorter ones are skipped): the same as calling
    /// <see cref="Normalize(ReadOnlySpan{char}, Span{char})"/> on what <see cref="Walk"/> passes, in one pass over the raw
    /// UTF-8 when the value is printable ASCII without escapes (lower-cased and widened at once), else decoded first.
    /// </summary>
    public static bool WalkNormalized<TState>(JsonElement value, int minLength, List<PathSegment> path, ref TState state, TextVisitor<TState> visit)
        => WalkCore(value, minLength, normalized: true, path, ref state, visit);

    [SkipLocalsInit] // Every buffer below is written before it is read, and only the written part is read.
    private static bool VisitNormalized<TState>(JsonElement value, int minLength, List<PathSegment> path, ref TState state, TextVisitor<TState> visit)
    {
        var raw = JsonMarshal.GetRawUtf8Value(value);
        if (value.ValueKind == JsonValueKind.String)
        {
            raw = raw[1..^1];
            if (raw.Contains((byte)'\\'))
            {
                return VisitDecoded(value.GetString().AsSpan(), minLength, path, ref state, visit);
            }
        }

        // A UTF-8 value never decodes to more characters than it has bytes.
        if (raw.Length < minLength)
        {
            return false;
        }

        if (raw.IndexOfAnyExceptInRange((byte)' ', (byte)'~') >= 0)
        {
            char[]? rentedChars = null;
            var chars = raw.Length <= 1024 ? stackalloc char[raw.Length] : (rentedChars = ArrayPool<char>.Shared.Rent(raw.Length));
            try
            {
                var n = Encoding.UTF8.GetChars(raw, chars);
                return VisitDecoded(chars[..n], minLength, path, ref state, visit);
            }
            finally
            {
                if (rentedChars is not null)
                {
                    ArrayPool<char>.Shared.Return(rentedChars);
                }
            }
        }

        // Printable ASCII, the common case: Normalize would see one plain run, lower-case it and collapse its double spaces.
        char[]? rented = null;
        var buffer = raw.Length <= 1024 ? stackalloc char[raw.Length] : (rented = ArrayPool<char>.Shared.Rent(raw.Length));
        try
        {
            Ascii.ToLower(raw, buffer, out var written);
            var twoSpaces = raw.IndexOf("  "u8);
            if (twoSpaces >= 0)
            {
                written = twoSpaces + CollapseSpaces(buffer[twoSpaces..written]);
            }

            return visit(buffer[..written], path, ref state);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    [SkipLocalsInit] // The buffer is written before it is read, and only the written part is read.
    private static bool VisitDecoded<TState>(ReadOnlySpan<char> text, int minLength, List<PathSegment> path, ref TState state, TextVisitor<TState> visit)
    {
        if (text.Length < minLength)
        {
            return false;
        }

        char[]? rented = null;
        var buffer = text.Length <= 1024 ? stackalloc char[text.Length] : (rented = ArrayPool<char>.Shared.Rent(text.Length));
        try
        {
            var n = Normalize(text, buffer);
            return visit(buffer[..n], path, ref state);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    /// <summary>The JSON Pointer of a top-level argument: its name, escaped per RFC 6901, after a '/'.</summary>
    public static string Pointer(string argument) => string.Concat("/", Escape(argument));

    /// <summary>The nested segments of a pointer below its top-level argument, each after a '/', such as <c>/options/0</c>.</summary>
    public static string PointerSuffix(List<PathSegment> path)
    {
        var sb = new StringBuilder();
        foreach (var segment in path)
        {
            sb.Append('/');
            if (segment.Index >= 0)
            {
                sb.Append(segment.Index);
            }
            else
            {
                sb.Append(Escape(segment.Property.Name));
            }
        }

        return sb.ToString();
    }

    private static string Escape(string name) => name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
}

/// <summary>One step into a JSON value: a property (<see cref="Index"/> -1) or an array index.</summary>
internal readonly record struct PathSegment(JsonProperty Property, int Index);

/// <summary>Receives one text value found by <see cref="TaintText.Walk"/>; returns true to stop the walk.</summary>
internal delegate bool TextVisitor<TState>(ReadOnlySpan<char> text, List<PathSegment> path, ref TState state);
