using System.Globalization;

namespace McpPolicy.Schemas.Secrets;

/// <summary>
/// An allowed argument location: an argument name, or an RFC 6901 JSON Pointer whose segments of exactly <c>*</c> match any
/// property or array index.
/// </summary>
internal sealed class ArgumentPattern
{
    private ArgumentPattern(PatternSegment[] segments)
    {
        Segments = segments;
    }

    public PatternSegment[] Segments { get; }

    public static bool TryParse(string? text, out ArgumentPattern? pattern, out string? error)
    {
        pattern = null;
        error = null;
        if (string.IsNullOrEmpty(text))
        {
            error = "an allowed argument must be a non-empty name or JSON Pointer";
            return false;
        }

        if (text[0] != '/')
        {
            pattern = new ArgumentPattern([PatternSegment.Of(text)]);
            return true;
        }

        if (text.Length == 1)
        {
            error = "the JSON Pointer '/' names the empty argument name; use a name or a longer pointer";
            return false;
        }

        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '~' && (i + 1 >= text.Length || (text[i + 1] != '0' && text[i + 1] != '1')))
            {
                error = $"'{text}': '~' in a JSON Pointer must be followed by 0 or 1 (RFC 6901)";
                return false;
            }
        }

        var parts = text[1..].Split('/');
        var segments = new PatternSegment[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            segments[i] = PatternSegment.Of(parts[i].Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal));
        }

        pattern = new ArgumentPattern(segments);
        return true;
    }
}

/// <summary>One segment of an <see cref="ArgumentPattern"/>.</summary>
internal readonly record struct PatternSegment(string Text, int Index, bool IsWildcard)
{
    public static PatternSegment Of(string text)
    {
        // Only canonical array indexes (no sign, no leading zero) match array items, as in RFC 6901.
        var index = text.Length > 0 && (text == "0" || text[0] != '0')
            && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : -1;
        return new PatternSegment(text, index, text == "*");
    }
}
