using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace McpPolicy.Configuration;

internal enum PolicyNodeKind
{
    Object,
    Array,
    String,
    Number,
    Boolean,
    Null,
}

/// <summary>A source-neutral policy tree (from JSON text or IConfiguration) that remembers where each value came from.</summary>
internal sealed class PolicyNode
{
    private PolicyNode(PolicyNodeKind kind, string location, bool fromConfiguration)
    {
        Kind = kind;
        Location = location;
        FromConfiguration = fromConfiguration;
    }

    public PolicyNodeKind Kind { get; }

    public string Location { get; }

    /// <summary>Configuration values are all strings: scalars are interpreted leniently by the reader.</summary>
    public bool FromConfiguration { get; }

    public string? Scalar { get; private init; }

    public List<KeyValuePair<string, PolicyNode>>? Properties { get; private init; }

    public List<PolicyNode>? Items { get; private init; }

    public static PolicyNode FromJson(ReadOnlySpan<byte> utf8, string sourceName)
    {
        var lineStarts = new List<int> { 0 };
        for (var i = 0; i < utf8.Length; i++)
        {
            if (utf8[i] == (byte)'\n')
            {
                lineStarts.Add(i + 1);
            }
        }

        string Where(long offset)
        {
            var index = lineStarts.BinarySearch((int)offset);
            var line = index >= 0 ? index : ~index - 1;
            return string.Create(CultureInfo.InvariantCulture, $"{sourceName} line {line + 1}, column {offset - lineStarts[line] + 1}");
        }

        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = 64 });
        try
        {
            if (!reader.Read())
            {
                throw new PolicyValidationException([new PolicyError("$", sourceName, "the policy file is empty")]);
            }

            var root = ReadJson(ref reader, Where, "$");
            if (reader.Read())
            {
                throw new PolicyValidationException([new PolicyError("$", Where(reader.TokenStartIndex), "unexpected content after the policy object")]);
            }

            return root;
        }
        catch (InvalidOperationException)
        {
            // System.Text.Json refuses to read a string holding an unpaired surrogate escape such as "\ud800".
            throw new PolicyValidationException([new PolicyError("$", Where(reader.TokenStartIndex), "a string holds an unpaired UTF-16 surrogate escape (such as \\ud800), which is not valid text")]);
        }
        catch (JsonException ex)
        {
            var location = string.Create(CultureInfo.InvariantCulture, $"{sourceName} line {(ex.LineNumber ?? 0) + 1}, column {(ex.BytePositionInLine ?? 0) + 1}");
            throw new PolicyValidationException([new PolicyError("$", location, "the file is not valid JSON")]);
        }
    }

    private static PolicyNode ReadJson(ref Utf8JsonReader reader, Func<long, string> where, string path)
    {
        var location = where(reader.TokenStartIndex);
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                var props = new List<KeyValuePair<string, PolicyNode>>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var keyLocation = where(reader.TokenStartIndex);
                    var key = reader.GetString()!;
                    foreach (var existing in props)
                    {
                        if (string.Equals(existing.Key, key, StringComparison.OrdinalIgnoreCase))
                        {
                            throw new PolicyValidationException([new PolicyError(path + "." + key, keyLocation, $"the key '{key}' appears twice in the same object")]);
                        }
                    }

                    reader.Read();
                    props.Add(new(key, ReadJson(ref reader, where, path + "." + key)));
                }

                return new PolicyNode(PolicyNodeKind.Object, location, false) { Properties = props };
            case JsonTokenType.StartArray:
                var items = new List<PolicyNode>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    items.Add(ReadJson(ref reader, where, string.Create(CultureInfo.InvariantCulture, $"{path}[{items.Count}]")));
                }

                return new PolicyNode(PolicyNodeKind.Array, location, false) { Items = items };
            case JsonTokenType.String:
                return new PolicyNode(PolicyNodeKind.String, location, false) { Scalar = reader.GetString() };
            case JsonTokenType.Number:
                return new PolicyNode(PolicyNodeKind.Number, location, false) { Scalar = System.Text.Encoding.UTF8.GetString(reader.ValueSpan) };
            case JsonTokenType.True:
                return new PolicyNode(PolicyNodeKind.Boolean, location, false) { Scalar = "true" };
            case JsonTokenType.False:
                return new PolicyNode(PolicyNodeKind.Boolean, location, false) { Scalar = "false" };
            default:
                return new PolicyNode(PolicyNodeKind.Null, location, false);
        }
    }

    public static PolicyNode FromSection(IConfiguration section)
    {
        var location = section is IConfigurationSection s ? "configuration key '" + s.Path + "'" : "configuration root";
        var children = section.GetChildren().ToList();
        if (children.Count == 0)
        {
            var value = section is IConfigurationSection leaf ? leaf.Value : null;
            return value is null
                ? new PolicyNode(PolicyNodeKind.Object, location, true) { Properties = [] }
                : new PolicyNode(PolicyNodeKind.String, location, true) { Scalar = value };
        }

        if (children.TrueForAll(c => int.TryParse(c.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
        {
            var ordered = children.OrderBy(c => int.Parse(c.Key, CultureInfo.InvariantCulture)).Select(FromSection).ToList();
            return new PolicyNode(PolicyNodeKind.Array, location, true) { Items = ordered };
        }

        var props = children.Select(c => new KeyValuePair<string, PolicyNode>(c.Key, FromSection(c))).ToList();
        return new PolicyNode(PolicyNodeKind.Object, location, true) { Properties = props };
    }

    /// <summary>Converts a value node to a JSON element (configuration strings that look like numbers or booleans stay strings; comparisons are lenient for them).</summary>
    public JsonElement ToJsonElement()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer);
        }

        using var doc = JsonDocument.Parse(buffer.ToArray());
        return doc.RootElement.Clone();
    }

    private void Write(Utf8JsonWriter writer)
    {
        switch (Kind)
        {
            case PolicyNodeKind.Object:
                writer.WriteStartObject();
                foreach (var p in Properties!)
                {
                    writer.WritePropertyName(p.Key);
                    p.Value.Write(writer);
                }

                writer.WriteEndObject();
                break;
            case PolicyNodeKind.Array:
                writer.WriteStartArray();
                foreach (var item in Items!)
                {
                    item.Write(writer);
                }

                writer.WriteEndArray();
                break;
            case PolicyNodeKind.String:
                writer.WriteStringValue(Scalar);
                break;
            case PolicyNodeKind.Number:
                writer.WriteRawValue(Scalar!);
                break;
            case PolicyNodeKind.Boolean:
                writer.WriteBooleanValue(Scalar == "true");
                break;
            default:
                writer.WriteNullValue();
                break;
        }
    }
}
