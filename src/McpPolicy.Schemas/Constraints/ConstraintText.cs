using System.Text.Json;

namespace McpPolicy.Schemas.Constraints;

/// <summary>Reads the text a typed constraint judges, shared by the path, URL and command-line checks.</summary>
internal static class ConstraintText
{
    /// <summary>
    /// The decoded string, or false when the value is not a string or holds an unpaired surrogate escape
    /// (which cannot be decoded, so nobody can tell what it names): the caller then reports "cannot judge".
    /// </summary>
    public static bool TryGet(JsonElement value, out string text)
    {
        text = "";
        if (value.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        try
        {
            text = value.GetString()!;
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
