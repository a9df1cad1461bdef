using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Schemas;

/// <summary>
/// Content hashes of what a server tells the model besides its tools: its instructions, and its prompt and resource listings.
/// Tool definitions use <see cref="ToolDefinitionHash"/>. Every hash is SHA-256 as 64 lower-case hex characters; listings are
/// hashed in RFC 8785 canonical form and sorted, so the order in which a server lists them does not matter.
/// </summary>
public static class CatalogHash
{
    /// <summary>Hashes a server's instructions (the UTF-8 text as sent; null or empty means none).</summary>
    /// <param name="instructions">The instructions.</param>
    /// <returns>The hash, or null when the server gives no instructions.</returns>
    public static string? Instructions(string? instructions)
        => string.IsNullOrEmpty(instructions) ? null : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(instructions)));

    /// <summary>Hashes a prompt listing: each prompt's name, title, description, arguments and <c>_meta</c>, sorted by name.</summary>
    /// <param name="prompts">The prompts as listed.</param>
    /// <returns>The hash.</returns>
    public static string Prompts(IEnumerable<Prompt> prompts)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        return Listing(prompts, static p => p.Name, "name");
    }

    /// <summary>Hashes a resource listing: each resource's definition (uri, name, title, description, mime type, annotations, <c>_meta</c>), sorted by uri.</summary>
    /// <param name="resources">The resources as listed.</param>
    /// <returns>The hash.</returns>
    public static string Resources(IEnumerable<Resource> resources)
    {
        ArgumentNullException.ThrowIfNull(resources);
        return Listing(resources, static r => r.Uri, "uri");
    }

    private static string Listing<T>(IEnumerable<T> items, Func<T, string> key, string keyName)
    {
        var canonical = new List<(string Key, byte[] Bytes)>();
        foreach (var item in items)
        {
            ArgumentNullException.ThrowIfNull(item);
            var element = JsonSerializer.SerializeToElement(item, McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(T)));
            if (element.ValueKind == JsonValueKind.Object)
            {
                // Icons only decorate a listing; like tool hashes, they are not covered.
                using var stripped = Strip(element, "icons");
                canonical.Add((key(item) ?? throw new ArgumentException($"A listed item has no {keyName}.", nameof(items)), CanonicalJson.Serialize(stripped.RootElement)));
            }
        }

        canonical.Sort(static (a, b) =>
        {
            var byKey = string.CompareOrdinal(a.Key, b.Key);
            return byKey != 0 ? byKey : a.Bytes.AsSpan().SequenceCompareTo(b.Bytes);
        });

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData("["u8);
        for (var i = 0; i < canonical.Count; i++)
        {
            if (i > 0)
            {
                hash.AppendData(","u8);
            }

            hash.AppendData(canonical[i].Bytes);
        }

        hash.AppendData("]"u8);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static JsonDocument Strip(JsonElement element, string member)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var property in element.EnumerateObject())
            {
                if (!property.NameEquals(member))
                {
                    property.WriteTo(writer);
                }
            }

            writer.WriteEndObject();
        }

        return JsonDocument.Parse(buffer.WrittenMemory);
    }
}
