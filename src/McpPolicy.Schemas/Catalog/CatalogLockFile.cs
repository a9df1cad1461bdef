using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace McpPolicy.Schemas;

/// <summary>
/// Reads and writes the lock file <c>mcp-policy.lock.json</c> (format in docs/catalog.md). Writing is deterministic and diff-friendly:
/// servers, tools and every object member sorted, one tool per block, two-space indentation, non-ASCII characters escaped so hidden
/// characters stay visible. Reading is strict: unknown or repeated members, a hash that does not match its definition, or (with a
/// key) a missing or wrong signature is a <see cref="CatalogLockException"/> naming the place in the file.
/// </summary>
public static class CatalogLockFile
{
    /// <summary>The conventional file name.</summary>
    public const string FileName = "mcp-policy.lock.json";

    /// <summary>The format version this library reads and writes.</summary>
    public const int FormatVersion = 1;

    /// <summary>The only signature algorithm.</summary>
    public const string SignatureAlgorithm = "HMAC-SHA256";

    private const int MaxDepth = 128;

    private static readonly JsonDocumentOptions ReadOptions = new() { MaxDepth = MaxDepth, AllowDuplicateProperties = false };

    private static readonly JsonWriterOptions WriteOptions = new() { Indented = true, IndentSize = 2, MaxDepth = MaxDepth };

    /// <summary>Loads a lock file.</summary>
    /// <param name="path">The file path.</param>
    /// <param name="signingKey">The host's key: when given, the file must carry a matching signature.</param>
    /// <returns>The lock.</returns>
    /// <exception cref="CatalogLockException">The file is malformed, inconsistent or (with a key) not signed by it.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static CatalogLock Load(string path, CatalogLockSigningKey? signingKey = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Parse(File.ReadAllBytes(path), signingKey);
    }

    /// <summary>Writes a lock file (to a temporary file first, then moved over the old one).</summary>
    /// <param name="catalogLock">The lock.</param>
    /// <param name="path">The file path.</param>
    /// <param name="signingKey">The host's key: when given, the file is signed.</param>
    public static void Save(CatalogLock catalogLock, string path, CatalogLockSigningKey? signingKey = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var bytes = Encoding.UTF8.GetBytes(Serialize(catalogLock, signingKey));
        var full = System.IO.Path.GetFullPath(path);
        var temporary = full + "." + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)) + ".tmp";
        try
        {
            File.WriteAllBytes(temporary, bytes);
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Writes a lock as text.</summary>
    /// <param name="catalogLock">The lock.</param>
    /// <param name="signingKey">The host's key: when given, the text is signed.</param>
    /// <returns>The JSON text, ending with a line break.</returns>
    public static string Serialize(CatalogLock catalogLock, CatalogLockSigningKey? signingKey = null)
    {
        ArgumentNullException.ThrowIfNull(catalogLock);
        var body = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(body, WriteOptions))
        {
            writer.WriteStartObject();
            WriteBody(writer, catalogLock);
            if (signingKey is not null)
            {
                // The signature covers the canonical form of everything else, so it survives reformatting but not edits.
                writer.Flush();
                var signature = Sign(signingKey, Canonical(body.WrittenMemory, stillOpen: true));
                writer.WriteStartObject("signature");
                writer.WriteString("algorithm", SignatureAlgorithm);
                if (signingKey.KeyId is { } keyId)
                {
                    writer.WriteString("keyId", keyId);
                }

                writer.WriteString("value", signature);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(body.WrittenSpan) + "\n";
    }

    /// <summary>Reads a lock from text.</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="signingKey">The host's key: when given, the text must carry a matching signature.</param>
    /// <returns>The lock.</returns>
    /// <exception cref="CatalogLockException">The text is malformed, inconsistent or (with a key) not signed by it.</exception>
    public static CatalogLock Parse(string json, CatalogLockSigningKey? signingKey = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Parse(Encoding.UTF8.GetBytes(json), signingKey);
    }

    /// <summary>Reads a lock from UTF-8 bytes.</summary>
    /// <param name="utf8Json">The JSON bytes (a UTF-8 byte order mark is allowed).</param>
    /// <param name="signingKey">The host's key: when given, the text must carry a matching signature.</param>
    /// <returns>The lock.</returns>
    /// <exception cref="CatalogLockException">The text is malformed, inconsistent or (with a key) not signed by it.</exception>
    public static CatalogLock Parse(ReadOnlyMemory<byte> utf8Json, CatalogLockSigningKey? signingKey = null)
    {
        if (utf8Json.Span.StartsWith("\uFEFF"u8))
        {
            utf8Json = utf8Json[3..];
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Json, ReadOptions);
        }
        catch (JsonException ex)
        {
            var location = ex.LineNumber is { } line ? $"line {line + 1}, position {(ex.BytePositionInLine ?? 0) + 1}" : "$";
            throw new CatalogLockException(location, "the lock file is not valid JSON (or repeats a member name): " + FirstSentence(ex.Message), ex);
        }

        using (document)
        {
            var root = document.RootElement;
            Expect(root, JsonValueKind.Object, "$", "the lock file must be a JSON object");
            CheckMembers(root, "$", "version", "servers", "signature");
            var version = Required(root, "version", "$");
            if (version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out var v) || v != FormatVersion)
            {
                throw new CatalogLockException("$.version", $"the format version must be {FormatVersion}; this file says {version.GetRawText()}, so it was written by another version of McpPolicy", null);
            }

            if (signingKey is not null)
            {
                Verify(root, utf8Json, signingKey);
            }
            else if (root.TryGetProperty("signature", out var unverified))
            {
                ReadSignature(unverified);
            }

            var lockValue = CatalogLock.Empty;
            var servers = Required(root, "servers", "$");
            Expect(servers, JsonValueKind.Object, "$.servers", "must be an object of server id to server");
            foreach (var server in servers.EnumerateObject())
            {
                lockValue = ReadServer(lockValue, server.Name, server.Value, Path("$.servers", server.Name));
            }

            return lockValue;
        }
    }

    private static void WriteBody(Utf8JsonWriter writer, CatalogLock catalogLock)
    {
        writer.WriteStartObject("servers");
        foreach (var (id, server) in catalogLock.Servers)
        {
            writer.WriteStartObject(id);
            WriteHash(writer, "instructions", server.Instructions);
            WriteHash(writer, "prompts", server.Prompts);
            WriteHash(writer, "resources", server.Resources);
            writer.WriteStartObject("tools");
            foreach (var (name, tool) in server.Tools)
            {
                writer.WriteStartObject(name);
                writer.WriteString("approvedAt", FormatTime(tool.ApprovedAt));
                writer.WriteString("approvedBy", tool.ApprovedBy);
                writer.WritePropertyName("definition");
                WriteSorted(writer, tool.Definition);
                writer.WriteString("hash", tool.Hash);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        writer.WriteNumber("version", FormatVersion);
    }

    private static void WriteHash(Utf8JsonWriter writer, string name, LockedHash? hash)
    {
        if (hash is null)
        {
            return;
        }

        writer.WriteStartObject(name);
        writer.WriteString("approvedAt", FormatTime(hash.ApprovedAt));
        writer.WriteString("approvedBy", hash.ApprovedBy);
        writer.WriteString("hash", hash.Hash);
        writer.WriteEndObject();
    }

    /// <summary>Writes a value with every object's members in ordinal order, so the same definition always reads the same.</summary>
    private static void WriteSorted(Utf8JsonWriter writer, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                var members = new List<JsonProperty>();
                foreach (var member in value.EnumerateObject())
                {
                    members.Add(member);
                }

                members.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
                writer.WriteStartObject();
                foreach (var member in members)
                {
                    writer.WritePropertyName(member.Name);
                    WriteSorted(writer, member.Value);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in value.EnumerateArray())
                {
                    WriteSorted(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                value.WriteTo(writer);
                break;
        }
    }

    private static CatalogLock ReadServer(CatalogLock lockValue, string serverId, JsonElement server, string path)
    {
        if (serverId.Length == 0 || serverId.Contains('/', StringComparison.Ordinal))
        {
            throw new CatalogLockException(path, "a server id must be non-empty and must not contain '/'", null);
        }

        Expect(server, JsonValueKind.Object, path, "must be an object with 'tools' and optional 'instructions', 'prompts' and 'resources'");
        CheckMembers(server, path, "tools", "instructions", "prompts", "resources");
        var instructions = ReadHash(server, "instructions", path);
        var prompts = ReadHash(server, "prompts", path);
        var resources = ReadHash(server, "resources", path);
        lockValue = lockValue.SetServerHashes(serverId, instructions, prompts, resources);
        var tools = Required(server, "tools", path);
        var toolsPath = path + ".tools";
        Expect(tools, JsonValueKind.Object, toolsPath, "must be an object of tool name to approved tool");
        foreach (var entry in tools.EnumerateObject())
        {
            var toolPath = Path(toolsPath, entry.Name);
            var tool = entry.Value;
            Expect(tool, JsonValueKind.Object, toolPath, "must be an object with 'hash', 'definition', 'approvedBy' and 'approvedAt'");
            CheckMembers(tool, toolPath, "hash", "definition", "approvedBy", "approvedAt");
            var hash = ReadHashText(tool, toolPath);
            var approvedBy = ReadText(tool, "approvedBy", toolPath);
            var approvedAt = ReadTime(tool, toolPath);
            var definition = Required(tool, "definition", toolPath);
            Expect(definition, JsonValueKind.Object, toolPath + ".definition", "must be the tool's definition object");
            LockedTool locked;
            try
            {
                locked = LockedTool.FromStored(definition, hash, approvedBy, approvedAt);
            }
            catch (ArgumentException ex)
            {
                throw new CatalogLockException(toolPath, FirstSentence(ex.Message) + " Re-approve the tool instead of editing the lock file by hand.", ex);
            }

            if (!string.Equals(locked.Name, entry.Name, StringComparison.Ordinal))
            {
                throw new CatalogLockException(toolPath + ".definition.name", $"the definition is named '{locked.Name}' but is filed under '{entry.Name}'", null);
            }

            lockValue = lockValue.SetTool(serverId, locked);
        }

        return lockValue;
    }

    private static LockedHash? ReadHash(JsonElement server, string name, string path)
    {
        if (!server.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var hashPath = path + "." + name;
        Expect(value, JsonValueKind.Object, hashPath, "must be an object with 'hash', 'approvedBy' and 'approvedAt'");
        CheckMembers(value, hashPath, "hash", "approvedBy", "approvedAt");
        return new LockedHash(ReadHashText(value, hashPath), ReadText(value, "approvedBy", hashPath), ReadTime(value, hashPath));
    }

    private static string ReadHashText(JsonElement owner, string path)
    {
        var hash = ReadText(owner, "hash", path);
        if (hash.Length != 64 || !IsLowerHex(hash))
        {
            throw new CatalogLockException(path + ".hash", "must be a SHA-256 hash: 64 lower-case hex characters", null);
        }

        return hash;
    }

    private static string ReadText(JsonElement owner, string name, string path)
    {
        var value = Required(owner, name, path);
        if (value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(value.GetString()))
        {
            throw new CatalogLockException(path + "." + name, "must be a non-empty string", null);
        }

        return value.GetString()!;
    }

    private static DateTimeOffset ReadTime(JsonElement owner, string path)
    {
        var text = ReadText(owner, "approvedAt", path);
        if (!DateTimeOffset.TryParseExact(text, ["yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mm:ssK"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)
            || !(text.EndsWith('Z') || text.Contains('+', StringComparison.Ordinal) || text.LastIndexOf('-') > 9))
        {
            throw new CatalogLockException(path + ".approvedAt", $"'{text}' is not an ISO 8601 date and time with a UTC offset, such as 2026-11-21T09:30:00Z", null);
        }

        return time;
    }

    private static string FormatTime(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    private static (string? KeyId, string Value) ReadSignature(JsonElement signature)
    {
        Expect(signature, JsonValueKind.Object, "$.signature", "must be an object with 'algorithm', 'value' and optional 'keyId'");
        CheckMembers(signature, "$.signature", "algorithm", "keyId", "value");
        var algorithm = ReadText(signature, "algorithm", "$.signature");
        if (!string.Equals(algorithm, SignatureAlgorithm, StringComparison.Ordinal))
        {
            throw new CatalogLockException("$.signature.algorithm", $"the algorithm must be {SignatureAlgorithm}, not '{algorithm}'", null);
        }

        var keyId = signature.TryGetProperty("keyId", out _) ? ReadText(signature, "keyId", "$.signature") : null;
        var value = ReadText(signature, "value", "$.signature");
        if (value.Length != 64 || !IsLowerHex(value))
        {
            throw new CatalogLockException("$.signature.value", "must be an HMAC-SHA256 value: 64 lower-case hex characters", null);
        }

        return (keyId, value);
    }

    private static void Verify(JsonElement root, ReadOnlyMemory<byte> utf8Json, CatalogLockSigningKey key)
    {
        if (!root.TryGetProperty("signature", out var signature))
        {
            throw new CatalogLockException("$.signature", "the lock file is not signed, but the host requires a signature: approve the tools again through the host (which signs the file), or remove the signing key", null);
        }

        var (keyId, value) = ReadSignature(signature);
        if (key.KeyId is not null && keyId is not null && !string.Equals(key.KeyId, keyId, StringComparison.Ordinal))
        {
            throw new CatalogLockException("$.signature.keyId", $"the lock file was signed with key '{keyId}', but the host's key is '{key.KeyId}'", null);
        }

        var expected = Sign(key, Canonical(utf8Json, stillOpen: false));
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(value)))
        {
            throw new CatalogLockException("$.signature.value", "the signature does not match the content: the lock file was changed after it was signed (or signed with another key); do not trust it", null);
        }
    }

    private static string Sign(CatalogLockSigningKey key, byte[] canonical) => Convert.ToHexStringLower(key.Sign(canonical));

    /// <summary>The RFC 8785 form of the document without its <c>signature</c> member: what the signature covers.</summary>
    private static byte[] Canonical(ReadOnlyMemory<byte> document, bool stillOpen)
    {
        // While writing, the body is still open: close it to parse it.
        var text = document;
        if (stillOpen)
        {
            var closed = new byte[document.Length + 1];
            document.Span.CopyTo(closed);
            closed[^1] = (byte)'}';
            text = closed;
        }

        using var parsed = JsonDocument.Parse(text, ReadOptions);
        var buffer = new ArrayBufferWriter<byte>(text.Length);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { MaxDepth = MaxDepth }))
        {
            writer.WriteStartObject();
            foreach (var member in parsed.RootElement.EnumerateObject())
            {
                if (!member.NameEquals("signature"))
                {
                    member.WriteTo(writer);
                }
            }

            writer.WriteEndObject();
        }

        using var unsigned = JsonDocument.Parse(buffer.WrittenMemory, ReadOptions);
        return CanonicalJson.Serialize(unsigned.RootElement);
    }

    private static JsonElement Required(JsonElement owner, string name, string path)
        => owner.TryGetProperty(name, out var value) ? value : throw new CatalogLockException(path + "." + name, "is required but missing", null);

    private static void Expect(JsonElement value, JsonValueKind kind, string path, string what)
    {
        if (value.ValueKind != kind)
        {
            throw new CatalogLockException(path, $"{what}; found {Describe(value.ValueKind)}", null);
        }
    }

    private static void CheckMembers(JsonElement value, string path, params ReadOnlySpan<string> allowed)
    {
        foreach (var member in value.EnumerateObject())
        {
            var known = false;
            foreach (var name in allowed)
            {
                known |= member.NameEquals(name);
            }

            if (!known)
            {
                throw new CatalogLockException(Path(path, member.Name), $"unknown member; expected one of: {string.Join(", ", allowed.ToArray())}", null);
            }
        }
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    /// <summary>A JSON path to a member, in dot form when the name is a plain identifier, else in bracket form.</summary>
    private static string Path(string parent, string name)
    {
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
            {
                return $"{parent}[{JsonSerializer.Serialize(name)}]";
            }
        }

        return name.Length == 0 ? parent + "[\"\"]" : parent + "." + name;
    }

    private static bool IsLowerHex(string text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f'))
            {
                return false;
            }
        }

        return true;
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..(end + 1)];
    }
}
