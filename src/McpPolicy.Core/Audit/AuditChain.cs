using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;

namespace McpPolicy;

/// <summary>
/// The keyed hash chain of audit lines. A line is the RFC 8785 canonical JSON of one object that holds the record, its sequence
/// number <c>seq</c>, the previous line's MAC <c>prev</c>, and <c>mac</c> = HMAC-SHA256(key, canonical form of the object without <c>mac</c>).
/// </summary>
internal static class AuditChain
{
    public const string Format = "mcp-policy-audit/1";

    /// <summary>The <c>prev</c> of the very first line of a chain.</summary>
    public static readonly string Genesis = new('0', 64);

    /// <summary>Builds one chained line (with its trailing newline).</summary>
    public static byte[] BuildLine(byte[] key, long seq, string prev, Action<Utf8JsonWriter> writeBody, out string mac)
    {
        var body = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(body))
        {
            writer.WriteStartObject();
            writeBody(writer);
            writer.WriteNumber("seq", seq);
            writer.WriteString("prev", prev);
            writer.WriteEndObject();
        }

        byte[] unsigned;
        using (var document = JsonDocument.Parse(body.WrittenMemory))
        {
            unsigned = CanonicalJson.Serialize(document.RootElement);
        }

        mac = Mac(key, unsigned);
        return Sign(unsigned, mac);
    }

    /// <summary>
    /// Inserts <c>"mac":"..."</c> into a canonical object at the place RFC 8785 key order puts it (top-level keys are sorted by
    /// UTF-16 code units; every key here is ASCII, so byte order is the same), giving the canonical form of the signed object
    /// without parsing and serializing it again.
    /// </summary>
    private static byte[] Sign(byte[] unsigned, string mac)
    {
        var insertAt = unsigned.Length - 1; // before the closing brace, unless a later key is found
        var first = true;
        var reader = new Utf8JsonReader(unsigned);
        reader.Read(); // StartObject
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueSpan.SequenceCompareTo("mac"u8) > 0)
            {
                insertAt = (int)reader.TokenStartIndex;
                break;
            }

            first = false;
            reader.Skip();
        }

        var member = System.Text.Encoding.ASCII.GetBytes(string.Concat("\"mac\":\"", mac, "\""));
        var atEnd = insertAt == unsigned.Length - 1;
        var line = new byte[unsigned.Length + member.Length + 2];
        var at = 0;
        unsigned.AsSpan(0, insertAt).CopyTo(line);
        at += insertAt;
        if (atEnd && !(first && insertAt == 1))
        {
            line[at++] = (byte)',';
        }

        member.CopyTo(line, at);
        at += member.Length;
        if (!atEnd)
        {
            line[at++] = (byte)',';
        }

        unsigned.AsSpan(insertAt).CopyTo(line.AsSpan(at));
        at += unsigned.Length - insertAt;
        line[at++] = (byte)'\n';
        return line.AsSpan(0, at).ToArray();
    }

    /// <summary>Signs a line already in canonical form (without <c>mac</c>) and returns it with its trailing newline.</summary>
    public static byte[] SignLine(byte[] key, byte[] unsigned, out string mac)
    {
        mac = Mac(key, unsigned);
        return Sign(unsigned, mac);
    }

    public static string Mac(byte[] key, ReadOnlySpan<byte> canonical)
    {
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(key, canonical, mac);
        return Convert.ToHexStringLower(mac);
    }

    /// <summary>Reads one line (without its newline): its canonical form, its fields, and whether its MAC holds under <paramref name="key"/>.</summary>
    public static ParsedLine Parse(byte[] key, ReadOnlySpan<byte> line)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line.ToArray(), new JsonDocumentOptions { AllowDuplicateProperties = false, MaxDepth = 64 });
        }
        catch (JsonException)
        {
            return ParsedLine.Broken("the line is not valid JSON");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return ParsedLine.Broken("the line is not a JSON object");
            }

            byte[] canonical;
            try
            {
                canonical = CanonicalJson.Serialize(root);
            }
            catch (ArgumentException)
            {
                return ParsedLine.Broken("the line is not I-JSON");
            }

            if (!line.SequenceEqual(canonical))
            {
                return ParsedLine.Broken("the line is not in canonical form");
            }

            if (!root.TryGetProperty("mac", out var macElement) || macElement.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("seq", out var seqElement) || !seqElement.TryGetInt64(out var seq)
                || !root.TryGetProperty("prev", out var prevElement) || prevElement.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("type", out var typeElement) || typeElement.ValueKind != JsonValueKind.String)
            {
                return ParsedLine.Broken("the line lacks one of type, seq, prev, mac");
            }

            var unsigned = new ArrayBufferWriter<byte>(canonical.Length);
            using (var writer = new Utf8JsonWriter(unsigned))
            {
                writer.WriteStartObject();
                foreach (var property in root.EnumerateObject())
                {
                    if (!property.NameEquals("mac"))
                    {
                        property.WriteTo(writer);
                    }
                }

                writer.WriteEndObject();
            }

            using var unsignedDocument = JsonDocument.Parse(unsigned.WrittenMemory);
            var expected = Mac(key, CanonicalJson.Serialize(unsignedDocument.RootElement));
            var mac = macElement.GetString()!;
            var keyId = root.TryGetProperty("keyId", out var keyIdElement) && keyIdElement.ValueKind == JsonValueKind.String ? keyIdElement.GetString() : null;
            var reason = root.TryGetProperty("reason", out var reasonElement) && reasonElement.ValueKind == JsonValueKind.String ? reasonElement.GetString() : null;
            return new ParsedLine(true, null, typeElement.GetString()!, seq, prevElement.GetString()!, mac,
                CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(mac), System.Text.Encoding.ASCII.GetBytes(expected)), keyId, reason);
        }
    }

    internal readonly record struct ParsedLine(bool IsWellFormed, string? Problem, string Type, long Seq, string Prev, string Mac, bool MacValid, string? KeyId, string? Reason)
    {
        public static ParsedLine Broken(string problem) => new(false, problem, string.Empty, -1, string.Empty, string.Empty, false, null, null);
    }
}
