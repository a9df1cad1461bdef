using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace McpPolicy.Schemas.Tests.Validation.Reference;

/// <summary>
/// A deliberately naive JSON Schema 2020-12 interpreter for a subset of the keywords, used as an oracle for the compiled
/// validator. It walks the schema element on every call — no compilation, caching or short-cuts — and follows the
/// specification's wording keyword by keyword. Numbers are exact decimals (an arbitrary-precision mantissa and a power of
/// ten), so comparisons, integer checks and <c>multipleOf</c> never round.
/// </summary>
/// <remarks>
/// Subset: type, enum, const, minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf, minLength, maxLength,
/// pattern, properties, required, additionalProperties, patternProperties, propertyNames, items, prefixItems, minItems,
/// maxItems, uniqueItems, contains, minContains, maxContains, minProperties, maxProperties, dependentRequired, allOf, anyOf,
/// oneOf, not, if/then/else, boolean schemas, $defs and $ref to a JSON pointer inside the same document ("#/...").
/// Annotation keywords are ignored; <see cref="Supports"/> tells whether a schema stays inside the subset.
/// </remarks>
internal static class ReferenceValidator
{
    /// <summary>Keywords the interpreter evaluates.</summary>
    public static readonly IReadOnlySet<string> Keywords = new HashSet<string>(StringComparer.Ordinal)
    {
        "type", "enum", "const", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
        "minLength", "maxLength", "pattern", "properties", "required", "additionalProperties", "patternProperties",
        "propertyNames", "items", "prefixItems", "minItems", "maxItems", "uniqueItems", "contains", "minContains",
        "maxContains", "minProperties", "maxProperties", "dependentRequired", "allOf", "anyOf", "oneOf", "not", "if",
        "then", "else", "$ref", "$defs",
    };

    /// <summary>Keywords that carry no assertion and are simply ignored.</summary>
    private static readonly HashSet<string> Annotations = new(StringComparer.Ordinal)
    {
        "title", "description", "$comment", "default", "examples", "deprecated", "readOnly", "writeOnly", "format", "definitions",
    };

    /// <summary>Whether <paramref name="instance"/> is valid against <paramref name="schema"/> (the schema is its own document root).</summary>
    public static bool IsValid(JsonElement schema, JsonElement instance) => Evaluate(schema, schema, instance);

    /// <summary>Whether <paramref name="instance"/> is valid against <paramref name="schema"/>, a subschema of the document <paramref name="root"/>.</summary>
    public static bool IsValid(JsonElement root, JsonElement schema, JsonElement instance) => Evaluate(root, schema, instance);

    /// <summary>
    /// Whether every keyword reachable in <paramref name="schema"/> is in the subset (unknown keywords, $id, $anchor,
    /// dynamic references, unevaluated*, non-local $ref and non-2020-12 $schema are not).
    /// </summary>
    public static bool Supports(JsonElement schema) => Supports(schema, isRoot: true);

    private static bool Supports(JsonElement schema, bool isRoot)
    {
        if (schema.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return true;
        }

        if (schema.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        foreach (var member in schema.EnumerateObject())
        {
            string name = member.Name;
            var value = member.Value;
            if (name == "$schema")
            {
                if (!isRoot || value.GetString() != "https://json-schema.org/draft/2020-12/schema")
                {
                    return false;
                }

                continue;
            }

            if (Annotations.Contains(name))
            {
                // "definitions" is not a 2020-12 keyword but may be a $ref target; check its members as schemas.
                if (name == "definitions" && (value.ValueKind != JsonValueKind.Object || !value.EnumerateObject().All(d => Supports(d.Value, false))))
                {
                    return false;
                }

                continue;
            }

            if (!Keywords.Contains(name))
            {
                return false;
            }

            bool ok = name switch
            {
                "$ref" => value.GetString() is "#" || value.GetString()!.StartsWith("#/", StringComparison.Ordinal),
                "pattern" => IsDotNetRegex(value.GetString()!),
                "patternProperties" => value.EnumerateObject().All(p => IsDotNetRegex(p.Name) && Supports(p.Value, false)),
                "properties" or "$defs" => value.EnumerateObject().All(p => Supports(p.Value, false)),
                "allOf" or "anyOf" or "oneOf" or "prefixItems" => value.EnumerateArray().All(s => Supports(s, false)),
                "additionalProperties" or "propertyNames" or "items" or "contains" or "not" or "if" or "then" or "else" => Supports(value, false),
                _ => true,
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Patterns are run as plain .NET regular expressions; ECMAScript-only syntax (e.g. \p{Letter}) is outside the subset.</summary>
    private static bool IsDotNetRegex(string pattern)
    {
        try
        {
            _ = new Regex(pattern);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static bool Evaluate(JsonElement root, JsonElement schema, JsonElement instance)
    {
        if (schema.ValueKind == JsonValueKind.True)
        {
            return true;
        }

        if (schema.ValueKind == JsonValueKind.False)
        {
            return false;
        }

        // Every keyword is an independent assertion; the schema is valid when all of them are.
        foreach (var keyword in schema.EnumerateObject())
        {
            if (!EvaluateKeyword(root, schema, keyword.Name, keyword.Value, instance))
            {
                return false;
            }
        }

        return true;
    }

    private static bool EvaluateKeyword(JsonElement root, JsonElement schema, string name, JsonElement value, JsonElement instance)
    {
        switch (name)
        {
            case "type":
                return value.ValueKind == JsonValueKind.String
                    ? HasType(instance, value.GetString()!)
                    : value.EnumerateArray().Any(t => HasType(instance, t.GetString()!));
            case "enum":
                return value.EnumerateArray().Any(option => JsonEquals(option, instance));
            case "const":
                return JsonEquals(value, instance);

            case "minimum":
                return instance.ValueKind != JsonValueKind.Number || Compare(instance, value) >= 0;
            case "maximum":
                return instance.ValueKind != JsonValueKind.Number || Compare(instance, value) <= 0;
            case "exclusiveMinimum":
                return instance.ValueKind != JsonValueKind.Number || Compare(instance, value) > 0;
            case "exclusiveMaximum":
                return instance.ValueKind != JsonValueKind.Number || Compare(instance, value) < 0;
            case "multipleOf":
                return instance.ValueKind != JsonValueKind.Number || IsMultipleOf(Exact.Parse(instance), Exact.Parse(value));

            case "minLength":
                return instance.ValueKind != JsonValueKind.String || CodePoints(instance.GetString()!) >= ToInt(value);
            case "maxLength":
                return instance.ValueKind != JsonValueKind.String || CodePoints(instance.GetString()!) <= ToInt(value);
            case "pattern":
                return instance.ValueKind != JsonValueKind.String || Regex.IsMatch(instance.GetString()!, value.GetString()!, RegexOptions.None);

            case "properties":
                return instance.ValueKind != JsonValueKind.Object || instance.EnumerateObject().All(member =>
                    !value.TryGetProperty(member.Name, out var subschema) || Evaluate(root, subschema, member.Value));
            case "patternProperties":
                return instance.ValueKind != JsonValueKind.Object || instance.EnumerateObject().All(member =>
                    value.EnumerateObject().All(pattern => !Regex.IsMatch(member.Name, pattern.Name) || Evaluate(root, pattern.Value, member.Value)));
            case "additionalProperties":
                return instance.ValueKind != JsonValueKind.Object || instance.EnumerateObject().All(member =>
                    IsCoveredByPropertiesOrPatterns(schema, member.Name) || Evaluate(root, value, member.Value));
            case "propertyNames":
                return instance.ValueKind != JsonValueKind.Object || instance.EnumerateObject().All(member =>
                    Evaluate(root, value, JsonString(member.Name)));
            case "required":
                return instance.ValueKind != JsonValueKind.Object || value.EnumerateArray().All(required => HasProperty(instance, required.GetString()!));
            case "dependentRequired":
                return instance.ValueKind != JsonValueKind.Object || value.EnumerateObject().All(dependency =>
                    !HasProperty(instance, dependency.Name) || dependency.Value.EnumerateArray().All(required => HasProperty(instance, required.GetString()!)));
            case "minProperties":
                return instance.ValueKind != JsonValueKind.Object || instance.EnumerateObject().Count() >= ToInt(value);
            case "maxProperties":
                return instance.ValueKind != JsonValueKind.Object || instance.EnumerateObject().Count() <= ToInt(value);

            case "prefixItems":
                return instance.ValueKind != JsonValueKind.Array || instance.EnumerateArray().Zip(value.EnumerateArray()).All(pair =>
                    Evaluate(root, pair.Second, pair.First));
            case "items":
                {
                    if (instance.ValueKind != JsonValueKind.Array)
                    {
                        return true;
                    }

                    int prefix = schema.TryGetProperty("prefixItems", out var prefixItems) ? prefixItems.GetArrayLength() : 0;
                    return instance.EnumerateArray().Skip(prefix).All(item => Evaluate(root, value, item));
                }

            case "minItems":
                return instance.ValueKind != JsonValueKind.Array || instance.GetArrayLength() >= ToInt(value);
            case "maxItems":
                return instance.ValueKind != JsonValueKind.Array || instance.GetArrayLength() <= ToInt(value);
            case "uniqueItems":
                {
                    if (instance.ValueKind != JsonValueKind.Array || value.ValueKind != JsonValueKind.True)
                    {
                        return true;
                    }

                    var items = instance.EnumerateArray().ToList();
                    for (int i = 0; i < items.Count; i++)
                    {
                        for (int j = i + 1; j < items.Count; j++)
                        {
                            if (JsonEquals(items[i], items[j]))
                            {
                                return false;
                            }
                        }
                    }

                    return true;
                }

            case "contains":
                {
                    if (instance.ValueKind != JsonValueKind.Array)
                    {
                        return true;
                    }

                    int matches = instance.EnumerateArray().Count(item => Evaluate(root, value, item));
                    BigInteger min = schema.TryGetProperty("minContains", out var minContains) ? ToBig(minContains) : 1;
                    bool maxOk = !schema.TryGetProperty("maxContains", out var maxContains) || matches <= ToBig(maxContains);
                    return matches >= min && maxOk;
                }

            case "minContains":
            case "maxContains":
                return true; // Evaluated together with "contains"; without "contains" they do nothing.

            case "allOf":
                return value.EnumerateArray().All(subschema => Evaluate(root, subschema, instance));
            case "anyOf":
                return value.EnumerateArray().Any(subschema => Evaluate(root, subschema, instance));
            case "oneOf":
                return value.EnumerateArray().Count(subschema => Evaluate(root, subschema, instance)) == 1;
            case "not":
                return !Evaluate(root, value, instance);
            case "if":
                {
                    bool condition = Evaluate(root, value, instance);
                    string branch = condition ? "then" : "else";
                    return !schema.TryGetProperty(branch, out var branchSchema) || Evaluate(root, branchSchema, instance);
                }

            case "then":
            case "else":
                return true; // Evaluated together with "if"; without "if" they do nothing.

            case "$ref":
                return Evaluate(root, Resolve(root, value.GetString()!), instance);

            default:
                return true; // $defs, $schema and annotations assert nothing.
        }
    }

    private static bool HasType(JsonElement instance, string type) => type switch
    {
        "null" => instance.ValueKind == JsonValueKind.Null,
        "boolean" => instance.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "object" => instance.ValueKind == JsonValueKind.Object,
        "array" => instance.ValueKind == JsonValueKind.Array,
        "string" => instance.ValueKind == JsonValueKind.String,
        "number" => instance.ValueKind == JsonValueKind.Number,
        "integer" => instance.ValueKind == JsonValueKind.Number && Exact.Parse(instance).IsInteger,
        _ => throw new InvalidOperationException("Unknown type " + type),
    };

    private static bool IsCoveredByPropertiesOrPatterns(JsonElement schema, string name)
    {
        if (schema.TryGetProperty("properties", out var properties) && properties.TryGetProperty(name, out _))
        {
            return true;
        }

        return schema.TryGetProperty("patternProperties", out var patterns)
            && patterns.EnumerateObject().Any(pattern => Regex.IsMatch(name, pattern.Name));
    }

    private static bool HasProperty(JsonElement instance, string name) => instance.EnumerateObject().Any(member => member.Name == name);

    private static JsonElement JsonString(string value) => JsonSerializer.SerializeToElement(value);

    /// <summary>The number of Unicode code points: UTF-16 units minus the second half of each surrogate pair.</summary>
    private static int CodePoints(string value)
    {
        int count = 0;
        for (int i = 0; i < value.Length; i++)
        {
            count++;
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
        }

        return count;
    }

    /// <summary>A non-negative integer keyword value; 2020-12 allows "2.0" for 2.</summary>
    private static BigInteger ToBig(JsonElement value)
    {
        var number = Exact.Parse(value);
        if (!number.IsInteger)
        {
            throw new InvalidOperationException("Not an integer: " + value.GetRawText());
        }

        return number.Exponent >= 0 ? number.Mantissa * BigInteger.Pow(10, number.Exponent) : number.Mantissa / BigInteger.Pow(10, -number.Exponent);
    }

    private static long ToInt(JsonElement value) => (long)BigInteger.Min(ToBig(value), long.MaxValue);

    private static int Compare(JsonElement a, JsonElement b) => Exact.Compare(Exact.Parse(a), Exact.Parse(b));

    private static bool IsMultipleOf(Exact value, Exact divisor)
    {
        // value = m1·10^e1, divisor = m2·10^e2; scale both to the smaller exponent, then it is integer divisibility.
        int exponent = Math.Min(value.Exponent, divisor.Exponent);
        var a = value.Mantissa * BigInteger.Pow(10, value.Exponent - exponent);
        var b = divisor.Mantissa * BigInteger.Pow(10, divisor.Exponent - exponent);
        return a % b == 0;
    }

    /// <summary>JSON value equality: same kind, numbers by value, strings by code units, arrays in order, objects as key sets.</summary>
    public static bool JsonEquals(JsonElement a, JsonElement b)
    {
        if (a.ValueKind != b.ValueKind)
        {
            return false;
        }

        switch (a.ValueKind)
        {
            case JsonValueKind.Number:
                return Exact.Compare(Exact.Parse(a), Exact.Parse(b)) == 0;
            case JsonValueKind.String:
                return a.GetString() == b.GetString();
            case JsonValueKind.Array:
                return a.GetArrayLength() == b.GetArrayLength() && a.EnumerateArray().Zip(b.EnumerateArray()).All(pair => JsonEquals(pair.First, pair.Second));
            case JsonValueKind.Object:
                {
                    var left = a.EnumerateObject().ToList();
                    var right = b.EnumerateObject().ToList();
                    return left.Count == right.Count && left.All(member => b.TryGetProperty(member.Name, out var other) && JsonEquals(member.Value, other));
                }

            default:
                return true; // null, true, false: the kind is the value.
        }
    }

    /// <summary>Resolves "#" or "#/json/pointer" against the document root.</summary>
    private static JsonElement Resolve(JsonElement root, string reference)
    {
        if (reference == "#")
        {
            return root;
        }

        if (!reference.StartsWith("#/", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("Unsupported $ref " + reference);
        }

        var current = root;
        foreach (string raw in reference[2..].Split('/'))
        {
            string token = Uri.UnescapeDataString(raw).Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            current = current.ValueKind == JsonValueKind.Array
                ? current[int.Parse(token, CultureInfo.InvariantCulture)]
                : current.GetProperty(token);
        }

        return current;
    }

    /// <summary>An exact decimal: <see cref="Mantissa"/> × 10^<see cref="Exponent"/>, read from the number's JSON text.</summary>
    private readonly record struct Exact(BigInteger Mantissa, int Exponent)
    {
        public bool IsInteger => Exponent >= 0 || Mantissa % BigInteger.Pow(10, -Exponent) == 0;

        public static Exact Parse(JsonElement number)
        {
            string text = number.GetRawText();
            int e = text.IndexOfAny(['e', 'E']);
            int exponent = e < 0 ? 0 : int.Parse(text[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            string significand = e < 0 ? text : text[..e];
            int dot = significand.IndexOf('.', StringComparison.Ordinal);
            if (dot >= 0)
            {
                exponent -= significand.Length - dot - 1;
                significand = significand.Remove(dot, 1);
            }

            return new Exact(BigInteger.Parse(significand, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture), exponent);
        }

        public static int Compare(Exact a, Exact b)
        {
            int exponent = Math.Min(a.Exponent, b.Exponent);
            var left = a.Mantissa * BigInteger.Pow(10, a.Exponent - exponent);
            var right = b.Mantissa * BigInteger.Pow(10, b.Exponent - exponent);
            return left.CompareTo(right);
        }
    }
}
