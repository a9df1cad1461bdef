using System.Collections;
using System.Text.Json;

namespace McpPolicy;

/// <summary>
/// A read-only view of a tool call's arguments over System.Text.Json values. It wraps either a JSON object
/// (host side, gateway) or the dictionary the MCP server SDK hands to filters, without copying either.
/// </summary>
public sealed class ToolArguments : IReadOnlyCollection<KeyValuePair<string, JsonElement>>
{
    private static readonly System.Text.UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    private readonly JsonElement _object;
    private readonly IDictionary<string, JsonElement>? _dictionary;

    private ToolArguments(JsonElement obj, IDictionary<string, JsonElement>? dictionary)
    {
        _object = obj;
        _dictionary = dictionary;
    }

    /// <summary>An empty argument set.</summary>
    public static ToolArguments Empty { get; } = new(EmptyObject, null);

    /// <summary>Wraps a JSON object (or <c>null</c>/undefined, treated as no arguments).</summary>
    /// <param name="arguments">The <c>arguments</c> value of a <c>tools/call</c> request.</param>
    /// <returns>The view.</returns>
    /// <exception cref="ArgumentException">The value is neither an object nor null.</exception>
    public static ToolArguments FromJson(JsonElement arguments)
    {
        return arguments.ValueKind switch
        {
            JsonValueKind.Object => new ToolArguments(arguments, null),
            JsonValueKind.Undefined or JsonValueKind.Null => Empty,
            _ => throw new ArgumentException("Tool arguments must be a JSON object.", nameof(arguments)),
        };
    }

    /// <summary>Wraps the argument dictionary of an MCP server request (no copy is made).</summary>
    /// <param name="arguments">The arguments, or null for none.</param>
    /// <returns>The view.</returns>
    public static ToolArguments FromDictionary(IDictionary<string, JsonElement>? arguments)
        => arguments is null ? Empty : new ToolArguments(default, arguments);

    /// <summary>Parses a JSON object text. Duplicate property names are rejected, since a tool and the policy could read different values.</summary>
    /// <param name="json">The JSON text of an object.</param>
    /// <returns>The view.</returns>
    public static ToolArguments Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { AllowDuplicateProperties = false });
        return FromJson(doc.RootElement.Clone());
    }

    /// <summary>The wrapped JSON object when the view was made over one (default when it wraps a dictionary); read without copying or allocating.</summary>
    internal JsonElement JsonObject => _object;

    /// <summary>The wrapped dictionary when the view was made over one, else null.</summary>
    internal IDictionary<string, JsonElement>? Dictionary => _dictionary;

    /// <summary>The number of top-level arguments.</summary>
    public int Count
    {
        get
        {
            if (_dictionary is not null)
            {
                return _dictionary.Count;
            }

            var n = 0;
            foreach (var unused in _object.EnumerateObject())
            {
                n++;
            }

            return n;
        }
    }

    /// <summary>Gets a top-level argument by exact (case-sensitive) name.</summary>
    /// <param name="name">The argument name.</param>
    /// <param name="value">The value when found.</param>
    /// <returns>True when present.</returns>
    public bool TryGetValue(string name, out JsonElement value) => TryGetValue(name, null, out value);

    /// <summary><see cref="TryGetValue(string, out JsonElement)"/>, a JSON object's property looked up by <paramref name="nameUtf8"/> when given.</summary>
    private bool TryGetValue(string name, byte[]? nameUtf8, out JsonElement value)
    {
        if (_dictionary is not null)
        {
            return _dictionary.TryGetValue(name, out value);
        }

        if (_object.ValueKind == JsonValueKind.Object)
        {
            return nameUtf8 is null ? _object.TryGetProperty(name, out value) : _object.TryGetProperty(nameUtf8, out value);
        }

        value = default;
        return false;
    }

    /// <summary>
    /// Resolves an RFC 6901 JSON Pointer (for example <c>/options/target</c> or <c>/items/0</c>) against the arguments.
    /// A key that does not start with '/' is a top-level argument name.
    /// </summary>
    /// <param name="pointer">The pointer or argument name.</param>
    /// <param name="value">The value when found.</param>
    /// <returns>True when every step of the pointer exists.</returns>
    public bool TryResolve(string pointer, out JsonElement value)
    {
        ArgumentNullException.ThrowIfNull(pointer);
        if (pointer.Length == 0 || pointer[0] != '/')
        {
            return TryGetValue(pointer, out value);
        }

        var segments = Engine.JsonPointer.Split(pointer);
        return TryResolve(segments, out value);
    }

    internal bool TryResolve(string[] segments, out JsonElement value) => TryResolve(segments, null, out value);

    /// <summary>
    /// <see cref="TryResolve(string[], out JsonElement)"/> with the first segment also as UTF-8 (<see cref="KeyUtf8"/>, or null), which a view
    /// over a JSON object looks up without encoding the name for every call.
    /// </summary>
    internal bool TryResolve(string[] segments, byte[]? firstUtf8, out JsonElement value)
    {
        if (!TryGetValue(segments[0], firstUtf8, out value))
        {
            return false;
        }

        for (var i = 1; i < segments.Length; i++)
        {
            if (!Engine.JsonPointer.Step(value, segments[i], out value))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>An argument name as UTF-8, for <see cref="TryResolve(string[], byte[], out JsonElement)"/>; null for a name that is not valid UTF-16 (looked up as text).</summary>
    internal static byte[]? KeyUtf8(string name)
    {
        try
        {
            return StrictUtf8.GetBytes(name);
        }
        catch (System.Text.EncoderFallbackException)
        {
            return null;
        }
    }

    /// <summary>Writes the arguments as a JSON object.</summary>
    /// <param name="writer">The writer.</param>
    public void WriteTo(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (_dictionary is null)
        {
            _object.WriteTo(writer);
            return;
        }

        writer.WriteStartObject();
        foreach (var pair in _dictionary)
        {
            writer.WritePropertyName(pair.Key);
            pair.Value.WriteTo(writer);
        }

        writer.WriteEndObject();
    }

    /// <summary>Returns the arguments as one JSON object element (a copy when the view wraps a dictionary).</summary>
    /// <returns>The object.</returns>
    public JsonElement ToJsonElement()
    {
        if (_dictionary is null)
        {
            return _object;
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteTo(writer);
        }

        using var doc = JsonDocument.Parse(buffer.ToArray());
        return doc.RootElement.Clone();
    }

    /// <summary>Enumerates the top-level arguments.</summary>
    /// <returns>The enumerator.</returns>
    public IEnumerator<KeyValuePair<string, JsonElement>> GetEnumerator()
    {
        if (_dictionary is not null)
        {
            foreach (var pair in _dictionary)
            {
                yield return pair;
            }

            yield break;
        }

        if (_object.ValueKind != JsonValueKind.Object)
        {
            yield break;
        }

        foreach (var property in _object.EnumerateObject())
        {
            yield return new KeyValuePair<string, JsonElement>(property.Name, property.Value);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc />
    public override string ToString()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteTo(writer);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
