using System.Globalization;
using System.Text.Json;

namespace McpPolicy.Schemas.Constraints;

/// <summary>
/// Reads the JSON settings of a typed constraint the way the policy reader reads the rest of a policy: keys in any casing,
/// a key twice (in any casing) or an unknown key is an error, and values from IConfiguration (which keeps only strings)
/// are accepted as strings: <c>"true"</c>/<c>"false"</c> for booleans, digits for numbers, <c>""</c> for an empty list.
/// Errors collect under JSON paths relative to the settings (<c>$.allow[2]</c>) and are thrown together.
/// </summary>
internal sealed class ConstraintSettingsReader
{
    private readonly List<PolicyError> _errors = [];

    public bool HasErrors => _errors.Count > 0;

    public void Error(string path, string message) => _errors.Add(new PolicyError(path, null, message));

    /// <summary>Throws every error collected, if any.</summary>
    /// <exception cref="PolicyValidationException">Some setting was invalid.</exception>
    public void ThrowIfErrors()
    {
        if (_errors.Count > 0)
        {
            throw new PolicyValidationException(_errors.ToArray());
        }
    }

    /// <summary>The settings object's properties by canonical key; null when it is not an object.</summary>
    public Dictionary<string, JsonElement>? ReadObject(JsonElement settings, string constraint, IReadOnlyList<string> keys)
    {
        // An empty object in IConfiguration arrives as an empty string.
        if (settings.ValueKind == JsonValueKind.String && settings.GetString()!.Length == 0)
        {
            return new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        }

        if (settings.ValueKind != JsonValueKind.Object)
        {
            Error("$", $"the '{constraint}' constraint expects an object with any of: {string.Join(", ", keys)}; found {Describe(settings)}");
            return null;
        }

        var result = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in settings.EnumerateObject())
        {
            var canonical = keys.FirstOrDefault(k => string.Equals(k, property.Name, StringComparison.OrdinalIgnoreCase));
            if (canonical is null)
            {
                Error("$." + property.Name, $"unknown key '{property.Name}' in the '{constraint}' constraint; expected one of: {string.Join(", ", keys)}");
            }
            else if (!result.TryAdd(canonical, property.Value))
            {
                Error("$." + property.Name, $"the key '{canonical}' appears twice in the '{constraint}' constraint (keys are read in any casing)");
            }
        }

        return result;
    }

    /// <summary>A list of non-empty strings; an empty string (IConfiguration's empty list) is an empty list.</summary>
    public List<string>? ReadStringList(Dictionary<string, JsonElement> settings, string key)
    {
        if (!settings.TryGetValue(key, out var value))
        {
            return null;
        }

        var path = "$." + key;
        if (value.ValueKind == JsonValueKind.String && value.GetString()!.Length == 0)
        {
            return [];
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            Error(path, $"expected an array of strings, found {Describe(value)}");
            return null;
        }

        var list = new List<string>();
        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || item.GetString() is not { Length: > 0 } text)
            {
                Error($"{path}[{i}]", $"expected a non-empty string, found {Describe(item)}");
            }
            else
            {
                list.Add(text);
            }

            i++;
        }

        return list;
    }

    /// <summary>A non-empty string.</summary>
    public string? ReadString(Dictionary<string, JsonElement> settings, string key)
    {
        if (!settings.TryGetValue(key, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String || value.GetString() is not { Length: > 0 } text)
        {
            Error("$." + key, $"expected a non-empty string, found {Describe(value)}");
            return null;
        }

        return text;
    }

    /// <summary>A boolean, or a string <c>true</c>/<c>false</c> in any casing (as IConfiguration delivers it).</summary>
    public bool? ReadBool(Dictionary<string, JsonElement> settings, string key)
    {
        if (!settings.TryGetValue(key, out var value))
        {
            return null;
        }

        switch (value.ValueKind)
        {
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            case JsonValueKind.String when bool.TryParse(value.GetString(), out var parsed):
                return parsed;
            default:
                Error("$." + key, $"expected true or false, found {Describe(value)}");
                return null;
        }
    }

    /// <summary>A list of whole numbers in [<paramref name="min"/>, <paramref name="max"/>], given as numbers or digit strings.</summary>
    public List<int>? ReadIntList(Dictionary<string, JsonElement> settings, string key, int min, int max)
    {
        if (!settings.TryGetValue(key, out var value))
        {
            return null;
        }

        var path = "$." + key;
        if (value.ValueKind == JsonValueKind.String && value.GetString()!.Length == 0)
        {
            return [];
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            Error(path, $"expected an array of whole numbers from {min} to {max}, found {Describe(value)}");
            return null;
        }

        var list = new List<int>();
        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            var number = 0;
            var ok = (item.ValueKind == JsonValueKind.Number && item.TryGetInt32(out number))
                || (item.ValueKind == JsonValueKind.String && int.TryParse(item.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out number));
            if (!ok || number < min || number > max)
            {
                Error($"{path}[{i}]", $"expected a whole number from {min} to {max}, found {Describe(item)}");
            }
            else
            {
                list.Add(number);
            }

            i++;
        }

        return list;
    }

    public static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => "the string " + value.GetRawText(),
        JsonValueKind.Number => "the number " + value.GetRawText(),
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => "nothing",
    };
}
