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

        using var document = JsonDocument.Parse(body.WrittenMemory);
        var unsigned = CanonicalJson.Serialize(document.RootElement);
        mac = Mac(key, unsigned);

        var signed = new ArrayBufferWriter<byte>(unsigned.Length + 80);
        using (var writer = new Utf8JsonWriter(signed))
        {
            writer.WriteStartObject();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                property.WriteTo(writer);
            }

            writer.WriteString("mac", mac);
            writer.WriteEndObject();
        }

        using var signedDocument = JsonDocument.Parse(signed.WrittenMemory);
        var line = new ArrayBufferWriter<byte>(signed.WrittenCount + 1);
        CanonicalJsonWriter.WriteValue(line, signedDocument.RootElement);
        line.Write("\n"u8);
        return line.WrittenSpan.ToArray();
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
