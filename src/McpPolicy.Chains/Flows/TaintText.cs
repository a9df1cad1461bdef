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
    private static readonly SearchValues<char> AsciiControls = SearchValues.Create(
        "\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000a\u000b\u000c\u000d\u000e\u000f\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f\u007f");

    /// <summary>Normalizes <paramref name="source"/> into <paramref name="destination"/> (at least as long) and returns the length written.</summary>
    public static int Normalize(ReadOnlySpan<char> source, Span<char> destination)
    {
        // Plain ASCII text without controls, tabs, line breaks or double spaces only needs lower-casing (vectorized).
        if (Ascii.IsValid(source) && source.IndexOfAny(AsciiControls) < 0 && source.IndexOf("  ", StringComparison.Ordinal) < 0)
        {
            Ascii.ToLower(source, destination, out var written);
            return written;
        }

        var n = 0;
        var space = false;
        foreach (var c in source)
        {
            char folded;
            if (c < 0x80)
            {
                if (c is ' ' or '\t' or '\n' or '\r' or '\v' or '\f')
                {
                    folded = ' ';
                }
                else if (c < ' ' || c == '\x7f')
                {
                    continue;
                }
                else
                {
                    folded = c is >= 'A' and <= 'Z' ? (char)(c + 32) : c;
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

    /// <summary>The JSON Pointer of a value: the top-level argument name, then the nested segments (escaped per RFC 6901).</summary>
    public static string Pointer(string argument, List<PathSegment> path)
    {
        var sb = new StringBuilder().Append('/').Append(Escape(argument));
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
