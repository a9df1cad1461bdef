using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace McpPolicy.Schemas.Tests.Validation.Reference;

/// <summary>A generated schema and instance, as JSON text (so a failure message can be pasted straight into a test).</summary>
internal sealed record SchemaCase(string Schema, string Instance)
{
    public override string ToString() => "schema: " + Schema + "  instance: " + Instance;
}

/// <summary>
/// Random schemas over <see cref="ReferenceValidator"/>'s subset (depth ≤ 3, one to three keywords per schema, small literal
/// pools so instances hit boundaries) and random instances, half of them generated from the schema so that both verdicts
/// are common. Deterministic for a seed.
/// </summary>
internal static class SchemaGenerator
{
    private static readonly JsonSerializerOptions Readable = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // Number spellings: 1 and 1.0 and 1E0 are the same value; 1e3 is an integer.
    // Also numbers a double cannot hold (they round onto a bound, or past 2^53) and -0.
    private static readonly string[] Numbers =
    [
        "0", "1", "1.0", "1.5", "-1", "10", "1e3", "2", "0.5", "3", "-1.5", "0.1", "1E1", "1000.0", "0.99999999999999999999",
        "1.00000000000000000001", "9007199254740993", "-0", "1e-400",
    ];
    private static readonly string[] Bounds = ["0", "1", "1.5", "-1", "10", "1e3", "2", "0.5", "1.0", "9007199254740992", "9007199254740993"];
    private static readonly string[] Divisors = ["1", "2", "0.5", "1.5", "0.1", "3", "1e-2", "10"];
    private static readonly string[] Strings = ["", "a", "ab", "abc", "é", "\U0001F600", "b", "c", "aé", "\U0001F600\U0001F600", "ééé"];
    private static readonly string[] Keys = ["a", "b", "c"];

    // Patterns whose .NET and ECMAScript meanings agree on the string pool (no '.', no classes over astral characters).
    private static readonly string[] Patterns = ["^a", "a$", "^a*$", "b", "^[a-c]+$", "é", "^$", "^ab?$", "c|é", "^[^a]"];
    private static readonly string[] KeyPatterns = ["^a", "b", "^[ab]$", "c$", "^$"];
    private static readonly string[] Types = ["null", "boolean", "object", "array", "string", "number", "integer"];

    private static readonly string[] SchemaKeywords =
    [
        "type", "type", "enum", "const", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
        "minLength", "maxLength", "pattern", "properties", "properties", "required", "additionalProperties", "patternProperties",
        "propertyNames", "items", "prefixItems", "minItems", "maxItems", "uniqueItems", "contains", "minProperties",
        "maxProperties", "dependentRequired", "allOf", "anyOf", "oneOf", "not", "if", "$ref",
    ];

    public static SchemaCase Create(int seed)
    {
        var random = new Random(seed);
        var schema = RootSchema(random);
        var schemaElement = JsonSerializer.SerializeToElement(schema);
        JsonNode? instance = random.Next(2) == 0 ? FromSchema(random, schemaElement, schemaElement, 3) : RandomValue(random, 3);
        return new SchemaCase(schema.ToJsonString(Readable), Render(instance));
    }

    /// <summary>
    /// The same JSON with about half of the characters inside strings and member names written as <c>\uXXXX</c> escapes
    /// (UTF-16 units, so a character outside the BMP becomes a surrogate pair); deterministic for a text.
    /// </summary>
    public static string EscapeSome(string json)
    {
        var random = new Random(json.Aggregate(17, (hash, c) => unchecked((hash * 31) + c)));
        var builder = new System.Text.StringBuilder(json.Length * 2);
        bool inString = false;
        for (int i = 0; i < json.Length; i++)
        {
            char c = json[i];
            if (!inString)
            {
                inString = c == '"';
                builder.Append(c);
            }
            else if (c == '"')
            {
                inString = false;
                builder.Append(c);
            }
            else if (c == '\\')
            {
                // An existing escape: copied as it is.
                int length = json[i + 1] == 'u' ? 6 : 2;
                builder.Append(json, i, length);
                i += length - 1;
            }
            else if (random.Next(2) == 0)
            {
                builder.Append(System.Globalization.CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    private static string Render(JsonNode? node) => node is null ? "null" : node.ToJsonString(Readable);

    private static JsonNode RootSchema(Random random)
    {
        bool defs = random.Next(3) == 0;
        var schema = Schema(random, 3, defs);
        if (defs)
        {
            var root = schema as JsonObject ?? new JsonObject { ["allOf"] = new JsonArray(schema) };
            root["$defs"] = new JsonObject { ["x"] = Schema(random, 2, false), ["y"] = Schema(random, 1, false) };
            return root;
        }

        return schema;
    }

    private static JsonNode Schema(Random random, int depth, bool defs)
    {
        if (random.Next(12) == 0)
        {
            return JsonValue.Create(random.Next(3) != 0);
        }

        var schema = new JsonObject();
        int count = depth <= 0 ? 1 : random.Next(1, 4);
        for (int i = 0; i < count; i++)
        {
            string keyword = SchemaKeywords[random.Next(SchemaKeywords.Length)];
            if (depth <= 0 && keyword is "properties" or "additionalProperties" or "patternProperties" or "propertyNames" or "items"
                or "prefixItems" or "contains" or "allOf" or "anyOf" or "oneOf" or "not" or "if")
            {
                keyword = "type";
            }

            if (keyword == "$ref" && !defs)
            {
                keyword = "required";
            }

            if (schema.ContainsKey(keyword))
            {
                continue;
            }

            Add(random, schema, keyword, depth - 1, defs);
        }

        return schema;
    }

    private static void Add(Random random, JsonObject schema, string keyword, int depth, bool defs)
    {
        switch (keyword)
        {
            case "type":
                if (random.Next(3) == 0)
                {
                    var types = Types.OrderBy(_ => random.Next()).Take(random.Next(1, 4)).Select(t => (JsonNode?)JsonValue.Create(t)).ToArray();
                    schema[keyword] = new JsonArray(types);
                }
                else
                {
                    schema[keyword] = Types[random.Next(Types.Length)];
                }

                break;
            case "enum":
                schema[keyword] = new JsonArray(Enumerable.Range(0, random.Next(1, 4)).Select(_ => RandomValue(random, 1)).ToArray());
                break;
            case "const":
                schema[keyword] = RandomValue(random, 2);
                break;
            case "minimum" or "maximum" or "exclusiveMinimum" or "exclusiveMaximum":
                schema[keyword] = Number(Bounds[random.Next(Bounds.Length)]);
                break;
            case "multipleOf":
                schema[keyword] = Number(Divisors[random.Next(Divisors.Length)]);
                break;
            case "minLength" or "maxLength" or "minItems" or "maxItems" or "minProperties" or "maxProperties":
                schema[keyword] = random.Next(0, 4);
                break;
            case "pattern":
                schema[keyword] = Patterns[random.Next(Patterns.Length)];
                break;
            case "properties":
                schema[keyword] = Members(random, Keys, depth, defs);
                break;
            case "patternProperties":
                schema[keyword] = Members(random, KeyPatterns, depth, defs);
                break;
            case "required":
                schema[keyword] = KeyArray(random);
                break;
            case "dependentRequired":
                schema[keyword] = new JsonObject { [Keys[random.Next(Keys.Length)]] = KeyArray(random) };
                break;
            case "additionalProperties" or "propertyNames" or "items" or "not":
                schema[keyword] = random.Next(4) == 0 ? JsonValue.Create(random.Next(2) == 0) : Schema(random, depth, defs);
                if (keyword == "additionalProperties" && random.Next(2) == 0 && !schema.ContainsKey("properties"))
                {
                    schema["properties"] = Members(random, Keys, depth, defs);
                }

                if (keyword == "items" && random.Next(3) == 0 && !schema.ContainsKey("prefixItems"))
                {
                    schema["prefixItems"] = Subschemas(random, depth, defs);
                }

                break;
            case "prefixItems" or "allOf" or "anyOf" or "oneOf":
                schema[keyword] = Subschemas(random, depth, defs);
                break;
            case "uniqueItems":
                schema[keyword] = random.Next(4) != 0;
                break;
            case "contains":
                schema[keyword] = Schema(random, depth, defs);
                if (random.Next(2) == 0)
                {
                    schema["minContains"] = random.Next(0, 3);
                }

                if (random.Next(2) == 0)
                {
                    schema["maxContains"] = random.Next(0, 3);
                }

                break;
            case "if":
                schema[keyword] = Schema(random, depth, defs);
                if (random.Next(4) != 0)
                {
                    schema["then"] = Schema(random, depth, defs);
                }

                if (random.Next(4) != 0)
                {
                    schema["else"] = Schema(random, depth, defs);
                }

                break;
            case "$ref":
                schema[keyword] = random.Next(2) == 0 ? "#/$defs/x" : "#/$defs/y";
                break;
            default:
                throw new InvalidOperationException(keyword);
        }
    }

    private static JsonObject Members(Random random, string[] names, int depth, bool defs)
    {
        var members = new JsonObject();
        foreach (string name in names.OrderBy(_ => random.Next()).Take(random.Next(1, 3)))
        {
            members[name] = Schema(random, depth, defs);
        }

        return members;
    }

    private static JsonArray Subschemas(Random random, int depth, bool defs)
        => new(Enumerable.Range(0, random.Next(1, 4)).Select(_ => (JsonNode?)Schema(random, depth, defs)).ToArray());

    private static JsonArray KeyArray(Random random)
        => new(Keys.OrderBy(_ => random.Next()).Take(random.Next(1, 3)).Select(k => (JsonNode?)JsonValue.Create(k)).ToArray());

    private static JsonNode Number(string text) => JsonNode.Parse(text)!;

    /// <summary>An arbitrary value from the pools, nested at most <paramref name="depth"/> deep.</summary>
    public static JsonNode? RandomValue(Random random, int depth)
    {
        int kind = random.Next(depth > 0 ? 8 : 6);
        switch (kind)
        {
            case 0:
                return null;
            case 1:
                return JsonValue.Create(random.Next(2) == 0);
            case 2 or 3:
                return Number(Numbers[random.Next(Numbers.Length)]);
            case 4 or 5:
                return JsonValue.Create(Strings[random.Next(Strings.Length)]);
            case 6:
                return new JsonArray(Enumerable.Range(0, random.Next(0, 4)).Select(_ => RandomValue(random, depth - 1)).ToArray());
            default:
                {
                    var obj = new JsonObject();
                    foreach (string key in Keys.OrderBy(_ => random.Next()).Take(random.Next(0, 4)))
                    {
                        obj[key] = RandomValue(random, depth - 1);
                    }

                    return obj;
                }
        }
    }

    /// <summary>
    /// A value shaped by the schema — a const or enum member, the required and declared properties, the prefix items and a
    /// contained item, a pool string or number the (sub)schema accepts — so that many instances are valid. It is a bias,
    /// not a guarantee: the property test compares verdicts whatever they are.
    /// </summary>
    private static JsonNode? FromSchema(Random random, JsonElement root, JsonElement schema, int depth)
    {
        if (schema.ValueKind != JsonValueKind.Object || depth < 0)
        {
            return RandomValue(random, Math.Max(depth, 0));
        }

        if (schema.TryGetProperty("const", out var constant))
        {
            return JsonNode.Parse(constant.GetRawText());
        }

        if (schema.TryGetProperty("enum", out var options))
        {
            return JsonNode.Parse(options[random.Next(options.GetArrayLength())].GetRawText());
        }

        if (schema.TryGetProperty("$ref", out var reference) && random.Next(3) != 0)
        {
            return FromSchema(random, root, root.GetProperty("$defs").GetProperty(reference.GetString()!["#/$defs/".Length..]), depth);
        }

        foreach (string combinator in new[] { "allOf", "anyOf", "oneOf" })
        {
            if (schema.TryGetProperty(combinator, out var branches) && random.Next(3) != 0)
            {
                return FromSchema(random, root, branches[random.Next(branches.GetArrayLength())], depth);
            }
        }

        if (schema.TryGetProperty("if", out var condition) && random.Next(2) == 0)
        {
            string branch = random.Next(2) == 0 ? "then" : "else";
            return FromSchema(random, root, schema.TryGetProperty(branch, out var b) ? b : condition, depth);
        }

        string type = TypeFor(random, schema);
        switch (type)
        {
            case "object":
                {
                    var obj = new JsonObject();
                    var properties = schema.TryGetProperty("properties", out var p) ? p : default;
                    foreach (string key in Keys)
                    {
                        bool required = schema.TryGetProperty("required", out var r) && r.EnumerateArray().Any(k => k.GetString() == key);
                        bool declared = properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(key, out _);
                        if (required || (declared && random.Next(2) == 0) || random.Next(6) == 0)
                        {
                            var subschema = declared ? properties.GetProperty(key)
                                : schema.TryGetProperty("additionalProperties", out var additional) ? additional : default;
                            obj[key] = subschema.ValueKind == JsonValueKind.Undefined ? RandomValue(random, depth - 1) : FromSchema(random, root, subschema, depth - 1);
                        }
                    }

                    return obj;
                }

            case "array":
                {
                    var array = new JsonArray();
                    if (schema.TryGetProperty("prefixItems", out var prefix))
                    {
                        foreach (var item in prefix.EnumerateArray().Take(random.Next(prefix.GetArrayLength() + 1)))
                        {
                            array.Add(FromSchema(random, root, item, depth - 1));
                        }
                    }

                    var items = schema.TryGetProperty("items", out var i) ? i : default;
                    for (int n = random.Next(0, 3); n > 0; n--)
                    {
                        array.Add(items.ValueKind == JsonValueKind.Undefined ? RandomValue(random, depth - 1) : FromSchema(random, root, items, depth - 1));
                    }

                    if (schema.TryGetProperty("contains", out var contains))
                    {
                        array.Add(FromSchema(random, root, contains, depth - 1));
                    }

                    return array;
                }

            case "string" or "number" or "integer":
                {
                    // A pool leaf the local schema accepts, when there is one.
                    var pool = type == "string" ? Strings.Select(s => JsonSerializer.SerializeToElement(s)) : Numbers.Select(Json.Parse);
                    var accepted = pool.Where(candidate => ReferenceValidator.IsValid(root, schema, candidate)).ToList();
                    return accepted.Count > 0
                        ? JsonNode.Parse(accepted[random.Next(accepted.Count)].GetRawText())
                        : RandomValue(random, 0);
                }

            case "null":
                return null;
            case "boolean":
                return JsonValue.Create(random.Next(2) == 0);
            default:
                return RandomValue(random, depth);
        }
    }

    private static string TypeFor(Random random, JsonElement schema)
    {
        if (schema.TryGetProperty("type", out var type))
        {
            return type.ValueKind == JsonValueKind.String ? type.GetString()! : type[random.Next(type.GetArrayLength())].GetString()!;
        }

        foreach (var keyword in schema.EnumerateObject())
        {
            switch (keyword.Name)
            {
                case "properties" or "required" or "additionalProperties" or "patternProperties" or "propertyNames" or "minProperties"
                    or "maxProperties" or "dependentRequired":
                    return "object";
                case "items" or "prefixItems" or "contains" or "minItems" or "maxItems" or "uniqueItems":
                    return "array";
                case "minLength" or "maxLength" or "pattern":
                    return "string";
                case "minimum" or "maximum" or "exclusiveMinimum" or "exclusiveMaximum" or "multipleOf":
                    return "number";
                default:
                    break;
            }
        }

        return "any";
    }

    /// <summary>
    /// Smaller variants of a case, for FsCheck's shrinking: simpler schemas first (a subschema hoisted, a keyword or array
    /// member dropped, a literal zeroed), then simpler instances. Only variants both validators accept as schemas are kept.
    /// </summary>
    public static IEnumerable<SchemaCase> Shrink(SchemaCase value)
    {
        foreach (var schema in Smaller(JsonNode.Parse(value.Schema)).Select(Render).Distinct(StringComparer.Ordinal))
        {
            if (IsUsable(schema))
            {
                yield return value with { Schema = schema };
            }
        }

        foreach (var instance in Smaller(JsonNode.Parse(value.Instance)).Select(Render).Distinct(StringComparer.Ordinal))
        {
            yield return value with { Instance = instance };
        }
    }

    private static bool IsUsable(string schemaText)
    {
        try
        {
            var schema = Json.Parse(schemaText);
            if (!ReferenceValidator.Supports(schema))
            {
                return false;
            }

            _ = JsonSchemaValidator.Create(schema);
            _ = ReferenceValidator.IsValid(schema, Json.Parse("null"));
            _ = ReferenceValidator.IsValid(schema, Json.Parse("""{"a":[1,"a"],"b":{},"c":1.5}"""));
            _ = ReferenceValidator.IsValid(schema, Json.Parse("""[1,"a",{"a":null}]"""));
            return true;
        }
#pragma warning disable CA1031 // A variant that either side rejects is simply not a candidate.
        catch (Exception)
#pragma warning restore CA1031
        {
            return false;
        }
    }

    private static IEnumerable<JsonNode?> Smaller(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                {
                    var members = obj.Select(m => (m.Key, m.Value)).ToList();
                    foreach (var (_, child) in members)
                    {
                        yield return child?.DeepClone();
                    }

                    for (int i = 0; i < members.Count; i++)
                    {
                        yield return Rebuild(members, i, skip: true, replacement: null);
                    }

                    for (int i = 0; i < members.Count; i++)
                    {
                        foreach (var smaller in Smaller(members[i].Value))
                        {
                            yield return Rebuild(members, i, skip: false, replacement: smaller);
                        }
                    }

                    break;
                }

            case JsonArray array:
                {
                    var items = array.ToList();
                    foreach (var child in items)
                    {
                        yield return child?.DeepClone();
                    }

                    for (int i = 0; i < items.Count; i++)
                    {
                        yield return new JsonArray(items.Where((_, j) => j != i).Select(x => x?.DeepClone()).ToArray());
                    }

                    for (int i = 0; i < items.Count; i++)
                    {
                        foreach (var smaller in Smaller(items[i]))
                        {
                            yield return new JsonArray(items.Select((x, j) => j == i ? smaller : x?.DeepClone()).ToArray());
                        }
                    }

                    break;
                }

            case JsonValue value when value.GetValueKind() == JsonValueKind.Number && value.ToJsonString() is not ("0" or "1"):
                yield return JsonValue.Create(0);
                yield return JsonValue.Create(1);
                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String && value.GetValue<string>().Length > 0:
                yield return JsonValue.Create(string.Empty);
                break;
            default:
                break;
        }
    }

    private static JsonObject Rebuild(List<(string Key, JsonNode? Value)> members, int index, bool skip, JsonNode? replacement)
    {
        var result = new JsonObject();
        for (int i = 0; i < members.Count; i++)
        {
            if (i != index)
            {
                result[members[i].Key] = members[i].Value?.DeepClone();
            }
            else if (!skip)
            {
                result[members[i].Key] = replacement;
            }
        }

        return result;
    }
}
