using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpPolicy.Json;

namespace McpPolicy.Client;

/// <summary>
/// Writes a node to UTF-8 for the gate's strict re-parse, copying the source text of a <see cref="JsonObject"/> or <see cref="JsonArray"/>
/// that is still backed by the <see cref="JsonElement"/> it was parsed from (as the MCP client's params, client info and capabilities are)
/// instead of walking and re-escaping it. The text is the element's own, so the strict parse that follows reads exactly what the node
/// holds; text the strict parse refuses (comments or trailing commas a lenient parse let through) is written node by node instead.
/// </summary>
/// <remarks>
/// System.Text.Json has no public way to ask a node for its backing element, or an element whether its document rents its buffers, so
/// both are read from private members. If a later System.Text.Json renames them, the accessor fails once and every node is treated as
/// having no backing element (written as <see cref="JsonNode.WriteTo"/> writes it, copied and parsed again by the gate).
/// </remarks>
internal static class NodeSource
{
    private static volatile bool s_unavailable;

    /// <summary>True while the backing element of a node can be read (false once the accessor failed on this runtime).</summary>
    public static bool IsAvailable => !s_unavailable;

    /// <summary>The element <paramref name="node"/> was created from, when it is an object or array not yet materialized into nodes.</summary>
    public static bool TryGetBackingElement(JsonNode node, out JsonElement element)
    {
        element = default;
        if (s_unavailable)
        {
            return false;
        }

        try
        {
            // One read of the field: a node materializing on another thread cannot make it change between the check and the use.
            var backing = node switch
            {
                JsonObject obj => ObjectElement(obj),
                JsonArray array => ArrayElement(array),
                _ => null,
            };
            if (backing is not { } value || value.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array))
            {
                return false;
            }

            element = value;
            return true;
        }
        catch (MissingFieldException)
        {
            s_unavailable = true;
            return false;
        }
    }

    /// <summary>
    /// <see cref="TryGetBackingElement"/> for an element that nothing can change or free while the gate holds it: its document owns its
    /// buffers (as every document behind a parsed or serialized node does), rather than renting them until someone disposes it.
    /// </summary>
    public static bool TryGetImmutableBackingElement(JsonNode node, out JsonElement element)
    {
        if (!TryGetBackingElement(node, out element))
        {
            return false;
        }

        try
        {
            if (JsonRows.DocumentOf(ref element) is { } document && !IsDisposable(document))
            {
                return true;
            }
        }
        catch (Exception ex) when (ex is MissingFieldException or MissingMethodException)
        {
            s_unavailable = true;
        }

        element = default;
        return false;
    }

    /// <summary>
    /// Writes <paramref name="node"/> as <see cref="JsonNode.WriteTo"/> does, except that an object or array backed by its source element,
    /// at any level this method descends (the node itself, or a property of a materialized object), is copied as its source text.
    /// </summary>
    public static void WriteFast(Utf8JsonWriter writer, JsonNode node, JsonSerializerOptions options)
    {
        if (TryGetBackingElement(node, out var element))
        {
            writer.WriteRawValue(JsonMarshal.GetRawUtf8Value(element), skipInputValidation: true);
            return;
        }

        if (node is JsonObject obj)
        {
            writer.WriteStartObject();
            var count = obj.Count;
            for (var i = 0; i < count; i++)
            {
                var property = obj.GetAt(i);
                writer.WritePropertyName(property.Key);
                if (property.Value is null)
                {
                    writer.WriteNullValue();
                }
                else
                {
                    WriteFast(writer, property.Value, options);
                }
            }

            writer.WriteEndObject();
            return;
        }

        node.WriteTo(writer, options);
    }

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_jsonElement")]
    private static extern ref JsonElement? ObjectElementField(JsonObject node);

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_jsonElement")]
    private static extern ref JsonElement? ArrayElementField(JsonArray node);

    [UnsafeAccessor(UnsafeAccessorKind.Method, Name = "get_IsDisposable")]
    private static extern bool IsDisposable(JsonDocument document);

    private static JsonElement? ObjectElement(JsonObject node) => ObjectElementField(node);

    private static JsonElement? ArrayElement(JsonArray node) => ArrayElementField(node);
}
