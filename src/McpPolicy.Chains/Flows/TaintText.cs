using System.Buffers;
using System.Globalization;
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
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in value.EnumerateObject())
                {
                    path.Add(new PathSegment(property, -1));
                    var stop = Walk(property.Value, path, ref state, visit);
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
                    var stop = Walk(item, path, ref state, visit);
                    path.RemoveAt(path.Count - 1);
                    if (stop)
                    {
                        return true;
                    }
                }

                return false;
            case JsonValueKind.String:
            case JsonValueKind.Number:
                return VisitText(value, path, ref state, visit);
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
