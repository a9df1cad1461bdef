using System.Text.Json;

namespace McpPolicy.Tokens;

/// <summary>A JSON Web Key Set (RFC 7517 section 5): the public keys an authorization server signs access tokens with.</summary>
public sealed class JsonWebKeySet
{
    /// <summary>The largest key set document accepted, in bytes.</summary>
    public const int MaxDocumentBytes = 256 * 1024;

    /// <summary>The most keys read from one set; the rest are ignored.</summary>
    public const int MaxKeys = 100;

    /// <summary>Creates a key set from keys built in code.</summary>
    /// <param name="keys">The keys.</param>
    public JsonWebKeySet(IEnumerable<JsonWebKey> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        Keys = keys.ToArray();
    }

    /// <summary>The usable keys. Keys of unsupported types or curves, symmetric keys and RSA keys under 2048 bits are left out.</summary>
    public IReadOnlyList<JsonWebKey> Keys { get; }

    /// <summary>Parses a key set document (<c>{"keys":[...]}</c>).</summary>
    /// <param name="json">The document.</param>
    /// <returns>The key set.</returns>
    /// <exception cref="FormatException">The document is not a key set; the message says why.</exception>
    public static JsonWebKeySet Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Parse(System.Text.Encoding.UTF8.GetBytes(json));
    }

    /// <summary>Parses a key set document from UTF-8 bytes.</summary>
    /// <param name="utf8Json">The document.</param>
    /// <returns>The key set.</returns>
    /// <exception cref="FormatException">The document is not a key set; the message says why.</exception>
    public static JsonWebKeySet Parse(ReadOnlyMemory<byte> utf8Json)
    {
        if (utf8Json.Length > MaxDocumentBytes)
        {
            throw new FormatException($"The key set is larger than {MaxDocumentBytes} bytes.");
        }

        if (!System.Text.Unicode.Utf8.IsValid(utf8Json.Span))
        {
            throw new FormatException("The key set is not valid UTF-8.");
        }

        try
        {
            using var document = JsonDocument.Parse(utf8Json, new JsonDocumentOptions { MaxDepth = 8 });
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("keys", out var keys)
                || keys.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException("The key set is not a JSON object with a 'keys' array.");
            }

            var result = new List<JsonWebKey>();
            foreach (var element in keys.EnumerateArray().Take(MaxKeys))
            {
                if (JsonWebKey.FromJson(element) is { } key)
                {
                    result.Add(key);
                }
            }

            return new JsonWebKeySet(result);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"The key set is not valid JSON: {ex.Message}", ex);
        }
        catch (FormatException ex) when (!ex.Message.StartsWith("The key set", StringComparison.Ordinal))
        {
            throw new FormatException($"The key set has an invalid key: {ex.Message}.", ex);
        }
    }
}
