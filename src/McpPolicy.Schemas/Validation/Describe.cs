using System.Text;
using System.Text.Json;

namespace McpPolicy.Schemas.Validation;

/// <summary>Short, model-readable descriptions of values for error messages (long values are truncated).</summary>
internal static class Describe
{
    private const int PreviewLength = 60;

    public static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => JsonNumber.Of(value).IsInteger ? "an integer" : "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "undefined",
    };

    /// <summary>The JSON text of a value, truncated.</summary>
    public static string Preview(JsonElement value)
    {
        string text = value.ValueKind switch
        {
            JsonValueKind.Object => value.GetPropertyCount() == 0 ? "{}" : "{…}",
            JsonValueKind.Array => value.GetArrayLength() == 0 ? "[]" : "[…]",
            _ => value.GetRawText(),
        };
        return Truncate(text);
    }

    /// <summary>The JSON text of a schema constant (enum or const value), truncated.</summary>
    public static string Constant(JsonElement value) => Truncate(value.GetRawText());

    public static string Truncate(string text) => text.Length <= PreviewLength ? text : string.Concat(text.AsSpan(0, PreviewLength), "…");

    /// <summary>A list like "'a', 'b' and 2 more".</summary>
    public static string List(IReadOnlyList<string> items, int max = 12)
    {
        var builder = new StringBuilder();
        for (int i = 0; i < items.Count && i < max; i++)
        {
            if (i > 0)
            {
                builder.Append(", ");
            }

            builder.Append(items[i]);
        }

        if (items.Count > max)
        {
            builder.Append(" and ").Append(items.Count - max).Append(" more");
        }

        return builder.ToString();
    }

    /// <summary>Summarizes why subschemas failed: the first error of each, for anyOf/oneOf messages.</summary>
    public static string Branches(IReadOnlyList<(int Index, List<SchemaValidationError>? Errors)> failures)
    {
        var builder = new StringBuilder();
        int shown = 0;
        foreach (var (index, errors) in failures)
        {
            if (errors is not { Count: > 0 })
            {
                continue;
            }

            if (shown == 4)
            {
                builder.Append("; …");
                break;
            }

            builder.Append(shown == 0 ? " (" : "; ").Append('[').Append(index).Append("] ");
            string message = errors[0].Message.TrimEnd('.');
            builder.Append(message.Length <= 160 ? message : string.Concat(message.AsSpan(0, 160), "…"));
            shown++;
        }

        if (shown > 0)
        {
            builder.Append(')');
        }

        return builder.ToString();
    }
}
