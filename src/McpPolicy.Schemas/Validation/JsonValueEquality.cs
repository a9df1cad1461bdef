using System.Buffers;
using System.Text.Json;

namespace McpPolicy.Schemas.Validation;

/// <summary>
/// JSON Schema equality (for <c>const</c>, <c>enum</c> and <c>uniqueItems</c>): numbers by value (1 = 1.0), strings by
/// decoded value, objects regardless of member order, arrays in order; true is never 1. Allocation-free.
/// </summary>
internal static class JsonValueEquality
{
    private const int HashDepth = 64;

    /// <summary>Whether two values are equal; <paramref name="tooDeep"/> is set when nesting exceeds <paramref name="maxDepth"/>.</summary>
    public static bool Equals(JsonElement a, JsonElement b, int maxDepth, ref bool tooDeep) => Equals(a, b, 0, maxDepth, ref tooDeep);

    /// <summary>A hash consistent with <see cref="Equals(JsonElement, JsonElement, int, ref bool)"/> (looks at most a few levels deep).</summary>
    public static int Hash(JsonElement value) => Hash(value, 0);

    private static bool Equals(JsonElement a, JsonElement b, int depth, int maxDepth, ref bool tooDeep)
    {
        var kind = a.ValueKind;
        if (kind != b.ValueKind)
        {
            return false;
        }

        switch (kind)
        {
            case JsonValueKind.Number:
                return JsonNumber.ValueEquals(JsonNumber.Of(a), JsonNumber.Of(b));
            case JsonValueKind.String:
                return JsonText.ValueEquals(JsonText.RawString(a), JsonText.RawString(b));
            case JsonValueKind.Array:
                if (a.GetArrayLength() != b.GetArrayLength())
                {
                    return false;
                }

                if (depth >= maxDepth)
                {
                    tooDeep = true;
                    return false;
                }

                using (var ea = a.EnumerateArray())
                using (var eb = b.EnumerateArray())
                {
                    var x = ea;
                    var y = eb;
                    while (x.MoveNext() && y.MoveNext())
                    {
                        if (!Equals(x.Current, y.Current, depth + 1, maxDepth, ref tooDeep))
                        {
                            return false;
                        }
                    }
                }

                return true;
            case JsonValueKind.Object:
                if (a.GetPropertyCount() != b.GetPropertyCount())
                {
                    return false;
                }

                if (depth >= maxDepth)
                {
                    tooDeep = true;
                    return false;
                }

                foreach (var property in a.EnumerateObject())
                {
                    if (!TryGetProperty(b, property, out var other) || !Equals(property.Value, other, depth + 1, maxDepth, ref tooDeep))
                    {
                        return false;
                    }
                }

                return true;
            default:
                // Null, True and False: the kind is the value.
                return true;
        }
    }

    /// <summary>Looks up the member of <paramref name="target"/> named like <paramref name="property"/>, without allocating.</summary>
    public static bool TryGetProperty(JsonElement target, JsonProperty property, out JsonElement value)
    {
        var raw = JsonText.RawName(property);
        if (!raw.Contains((byte)'\\'))
        {
            return target.TryGetProperty(raw, out value);
        }

        char[]? rented = null;
        Span<char> buffer = raw.Length <= JsonText.StackLimit ? stackalloc char[JsonText.StackLimit] : (rented = ArrayPool<char>.Shared.Rent(raw.Length));
        bool found = target.TryGetProperty(buffer[..JsonText.Decode(raw, buffer)], out value);
        if (rented is not null)
        {
            ArrayPool<char>.Shared.Return(rented);
        }

        return found;
    }

    private static int Hash(JsonElement value, int depth)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Number:
                return JsonNumber.Of(value).ValueHash();
            case JsonValueKind.String:
                return JsonText.Hash(JsonText.RawString(value));
            case JsonValueKind.Array:
            {
                var hash = default(HashCode);
                hash.Add(JsonValueKind.Array);
                hash.Add(value.GetArrayLength());
                if (depth < HashDepth)
                {
                    foreach (var item in value.EnumerateArray())
                    {
                        hash.Add(Hash(item, depth + 1));
                    }
                }

                return hash.ToHashCode();
            }

            case JsonValueKind.Object:
            {
                int combined = value.GetPropertyCount() * 397;
                if (depth < HashDepth)
                {
                    foreach (var property in value.EnumerateObject())
                    {
                        // Member order must not matter: combine the member hashes commutatively.
                        combined += HashCode.Combine(JsonText.Hash(JsonText.RawName(property)), Hash(property.Value, depth + 1));
                    }
                }

                return combined;
            }

            default:
                return (int)value.ValueKind;
        }
    }
}
