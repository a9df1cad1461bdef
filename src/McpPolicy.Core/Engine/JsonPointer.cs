using System.Globalization;
using System.Text.Json;

namespace McpPolicy.Engine;

/// <summary>RFC 6901 JSON Pointer helpers.</summary>
internal static class JsonPointer
{
    public static bool IsValid(string pointer, out string? error)
    {
        error = null;
        if (pointer.Length == 0)
        {
            error = "an argument key must not be empty";
            return false;
        }

        if (pointer[0] != '/')
        {
            return true;
        }

        if (pointer.Length == 1)
        {
            error = "the JSON Pointer '/' names the empty argument name; use a name or a longer pointer";
            return false;
        }

        for (var i = 0; i < pointer.Length; i++)
        {
            if (pointer[i] == '~' && (i + 1 >= pointer.Length || (pointer[i + 1] != '0' && pointer[i + 1] != '1')))
            {
                error = "'~' in a JSON Pointer must be followed by 0 or 1 (RFC 6901)";
                return false;
            }
        }

        return true;
    }

    public static string[] Split(string pointer)
    {
        if (pointer.Length == 0 || pointer[0] != '/')
        {
            return [pointer];
        }

        var parts = pointer[1..].Split('/');
        for (var i = 0; i < parts.Length; i++)
        {
            parts[i] = parts[i].Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
        }

        return parts;
    }

    public static bool Step(JsonElement current, string segment, out JsonElement value)
    {
        switch (current.ValueKind)
        {
            case JsonValueKind.Object:
                return current.TryGetProperty(segment, out value);
            case JsonValueKind.Array:
                if (segment.Length > 0 && (segment == "0" || segment[0] != '0')
                    && int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                    && index < current.GetArrayLength())
                {
                    value = current[index];
                    return true;
                }

                break;
        }

        value = default;
        return false;
    }
}
