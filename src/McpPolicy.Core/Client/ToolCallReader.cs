using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;

namespace McpPolicy.Client;

/// <summary>What <see cref="ToolCallReader.Read"/> found.</summary>
internal enum ToolCallReadStatus
{
    Ok = 0,
    ParamsNotAnObject,
    MissingName,
    ArgumentsNotAnObject,

    /// <summary>A property name repeats (or the JSON nests too deeply), so two readers could see different values.</summary>
    Ambiguous,
}

/// <summary>The parts of a <c>tools/call</c> request the gate reads, and the params it sends if the call is cleared.</summary>
internal readonly struct ToolCall
{
    public ToolCall(JsonObject parameters, string name, JsonElement arguments, string? conversationId)
    {
        Parameters = parameters;
        Name = name;
        Arguments = arguments;
        ConversationId = conversationId;
    }

    /// <summary>
    /// The params to send: the gate's own copy, built when the call was read, whose name and arguments are exactly what is decided.
    /// Nothing else holds it until it is sent.
    /// </summary>
    public JsonObject Parameters { get; }

    public string Name { get; }

    /// <summary>The arguments object (strictly parsed, immutable), or an undefined element when the call has none.</summary>
    public JsonElement Arguments { get; }

    /// <summary><c>_meta["io.mcppolicy/conversationId"]</c>, when the request carries one.</summary>
    public string? ConversationId { get; }

    /// <summary>The <c>_meta</c> object of the params to send, or null.</summary>
    public JsonObject? Meta => Parameters.TryGetPropertyValue("_meta", out var meta) ? meta as JsonObject : null;
}

/// <summary>
/// Reads a <c>tools/call</c> request's params into the gate's own copy, so that what is decided is exactly what is sent and a caller
/// changing its request afterwards changes nothing. Params (or arguments) still backed by the element they were parsed from, in a
/// document that owns its buffers, cannot change: that element is the gate's copy once a walk has found no repeated property name
/// (<see cref="UniqueNames"/>). Otherwise the arguments are written once to UTF-8 and parsed back with duplicate property
/// names rejected (a JSON object that repeats a name can be read differently by the policy and by the tool); the tool name is read as
/// a string; <c>_meta</c> is compared with the connection's last one part by part, whose strictly parsed copy is reused when every part
/// is the same (MCP clients send the same <c>_meta</c>, built anew, with every call), so it is written and parsed only when it changes.
/// Objects and arrays still backed by the text they were parsed from are written as that text (<see cref="NodeSource"/>), not walked.
/// Params of any other shape (more properties, values that are not plain JSON nodes) are written and strictly re-parsed whole.
/// </summary>
internal static class ToolCallReader
{
    private const string NameProperty = "name";
    private const string ArgumentsProperty = "arguments";
    private const string MetaProperty = "_meta";

    /// <summary>
    /// What a reading returns when it leaves the params to the next one (not a value callers see). A plain status rather than a
    /// nullable one: the JIT passes a nullable enum through memory in pieces, which stalls the load that reads it back.
    /// </summary>
    private const ToolCallReadStatus NotRead = (ToolCallReadStatus)(-1);

    private static readonly JsonDocumentOptions StrictOptions = new() { AllowDuplicateProperties = false };

    [ThreadStatic]
    private static ScratchWriter? t_scratch;

    /// <summary>Reads a request's params into the gate's own copy; <see cref="ToolCallReadStatus.Ok"/> when the call can be decided.</summary>
    /// <param name="parameters">The request's params.</param>
    /// <param name="call">What was read, and the params to send.</param>
    /// <param name="metaCache">The connection's last <c>_meta</c>, reused while calls carry the same one; null for none.</param>
    public static ToolCallReadStatus Read(JsonNode? parameters, out ToolCall call, MetaCache? metaCache = null)
    {
        call = default;
        if (parameters is not JsonObject root)
        {
            return ToolCallReadStatus.ParamsNotAnObject;
        }

        // Each reading either decides (a status) or leaves the params to the next one (NotRead).
        var status = TryReadShared(root, metaCache, out call);
        if (status == NotRead)
        {
            status = TryReadParts(root, metaCache, out call);
        }

        return status == NotRead ? ReadWhole(root, out call) : status;
    }

    /// <summary>
    /// Params still backed by the element they were parsed from, in a document that owns its buffers (as the MCP client sends them under
    /// the handshake revisions): that element cannot change, so it is the gate's copy as it is — once a walk has found no repeated
    /// property name — instead of being written and parsed again. <see cref="NotRead"/> when the params are not such, or when the walk
    /// or the reading cannot decide (<see cref="UniqueNames"/>), for the copying paths to judge.
    /// </summary>
    private static ToolCallReadStatus TryReadShared(JsonObject root, MetaCache? metaCache, out ToolCall call)
    {
        call = default;
        if (!NodeSource.TryGetImmutableBackingElement(root, out var element))
        {
            return NotRead;
        }

        switch (UniqueNames.CheckParams(element, out var members))
        {
            case UniqueNames.Verdict.Repeated:
                return ToolCallReadStatus.Ambiguous;
            case UniqueNames.Verdict.Undecided:
                return NotRead;
        }

        try
        {
            var status = FromMembers(element, members, metaCache, out call);
            if (status == ToolCallReadStatus.Ok && !HasSurrogates(call.Name) && (call.ConversationId is null || !HasSurrogates(call.ConversationId)))
            {
                return status;
            }
        }
        catch (InvalidOperationException)
        {
            // A string that does not decode (a lone surrogate escaped): the copying paths judge it as they always have.
        }

        call = default;
        return NotRead;
    }

    /// <summary>
    /// The usual shape: <c>name</c> (a string), <c>arguments</c> (an object or null) and <c>_meta</c>, nothing else.
    /// <see cref="NotRead"/> when the params have another shape, for <see cref="ReadWhole"/> to judge.
    /// </summary>
    private static ToolCallReadStatus TryReadParts(JsonObject root, MetaCache? metaCache, out ToolCall call)
    {
        call = default;
        JsonNode? nameNode = null;
        JsonNode? argumentsNode = null;
        JsonNode? metaNode = null;
        bool hasArguments = false, hasMeta = false;

        // The order of the properties, kept for the copy that is sent (0 name, 1 arguments, 2 _meta).
        Span<byte> order = stackalloc byte[3];
        int count;
        try
        {
            // Reading the properties builds the object's dictionary from its JSON, which throws on a repeated name.
            count = root.Count;
            if (count > 3)
            {
                return NotRead;
            }

            for (var i = 0; i < count; i++)
            {
                var property = root.GetAt(i);
                switch (property.Key)
                {
                    case NameProperty:
                        nameNode = property.Value;
                        order[i] = 0;
                        break;
                    case ArgumentsProperty:
                        argumentsNode = property.Value;
                        hasArguments = true;
                        order[i] = 1;
                        break;
                    case MetaProperty:
                        metaNode = property.Value;
                        hasMeta = true;
                        order[i] = 2;
                        break;
                    default:
                        return NotRead;
                }
            }
        }
        catch (ArgumentException)
        {
            return ToolCallReadStatus.Ambiguous;
        }

        if (nameNode is not JsonValue nameValue || !TryGetName(nameValue, metaCache, out var name))
        {
            return nameNode is null ? ToolCallReadStatus.MissingName : NotRead;
        }

        if (name.Length == 0)
        {
            return ToolCallReadStatus.MissingName;
        }

        if (HasSurrogates(name))
        {
            // A lone surrogate can be written differently from how it reads: such names take the round trip.
            return NotRead;
        }

        if (argumentsNode is not (null or JsonObject))
        {
            return NotRead;
        }

        JsonElement arguments = default;
        JsonNode? meta = null;
        string? conversationId = null;
        // Rented only when something is written: usually nothing is (immutable arguments, the same _meta as the last call).
        ScratchWriter? scratch = null;
        try
        {
            if (argumentsNode is JsonObject argumentsObject)
            {
                // Arguments still backed by a document that owns its buffers are their own immutable copy, once no name repeats.
                var verdict = NodeSource.TryGetImmutableBackingElement(argumentsObject, out arguments) ? UniqueNames.Check(arguments) : UniqueNames.Verdict.Undecided;
                if (verdict == UniqueNames.Verdict.Repeated || (verdict == UniqueNames.Verdict.Undecided && !TryParseStrict(Use(ref scratch), argumentsObject, out arguments)))
                {
                    return ToolCallReadStatus.Ambiguous;
                }
            }

            if (metaNode is JsonObject metaObject)
            {
                // An immutable copy of its own (the request's _meta stays the caller's), shared by calls that carry the same _meta.
                if (!TryReadMeta(ref scratch, metaObject, metaCache, out var metaElement, out conversationId))
                {
                    return ToolCallReadStatus.Ambiguous;
                }

                if (conversationId is not null && HasSurrogates(conversationId))
                {
                    return NotRead;
                }

                meta = JsonObject.Create(metaElement);
            }
            else if (metaNode is not null)
            {
                meta = metaNode.DeepClone();
            }
        }
        finally
        {
            if (scratch is not null)
            {
                ScratchWriter.Return(ref t_scratch, scratch);
            }
        }

        var parameters = new JsonObject();
        for (var i = 0; i < count; i++)
        {
            switch (order[i])
            {
                case 0:
                    parameters.Add(NameProperty, JsonValue.Create(name));
                    break;
                case 1:
                    parameters.Add(ArgumentsProperty, hasArguments && arguments.ValueKind == JsonValueKind.Object ? JsonObject.Create(arguments) : null);
                    break;
                default:
                    parameters.Add(MetaProperty, hasMeta ? meta : null);
                    break;
            }
        }

        call = new ToolCall(parameters, name, arguments, string.IsNullOrEmpty(conversationId) ? null : conversationId);
        return ToolCallReadStatus.Ok;
    }

    /// <summary>
    /// Reuses the connection's last <c>_meta</c> when <paramref name="meta"/> holds the same parts (<see cref="MatchesWithoutWriting"/>);
    /// else writes it to UTF-8 and, when the bytes are the last one's, reuses that, or parses them strictly (a repeated name is refused)
    /// into a new copy. The conversation id is read from that copy.
    /// </summary>
    private static bool TryReadMeta(ref ScratchWriter? scratchSlot, JsonObject meta, MetaCache? cache, out JsonElement element, out string? conversationId)
    {
        if (cache?.Last is { } last && MatchesWithoutWriting(ref scratchSlot, meta, last))
        {
            element = last.Element;
            conversationId = last.ConversationId;
            return true;
        }

        var scratch = Use(ref scratchSlot);
        scratch.Clear();
        if (TryReadMeta(scratch, meta, cache, sourceText: true, out element, out conversationId))
        {
            return true;
        }

        // Source text a lenient parse let through (comments, trailing commas) is refused by the strict parse: judge the nodes as written.
        scratch.Clear();
        return TryReadMeta(scratch, meta, cache, sourceText: false, out element, out conversationId);
    }

    /// <summary>One attempt of <see cref="TryReadMeta(ref ScratchWriter?, JsonObject, MetaCache?, out JsonElement, out string?)"/>: false when the strict parse refuses what was written.</summary>
    private static bool TryReadMeta(ScratchWriter scratch, JsonObject meta, MetaCache? cache, bool sourceText, out JsonElement element, out string? conversationId)
    {
        try
        {
            Write(scratch.Writer, meta, sourceText);
            var written = scratch.WrittenSpan;
            if (cache?.Last is { } last && written.SequenceEqual(last.Utf8))
            {
                element = last.Element;
                conversationId = last.ConversationId;
                return true;
            }

            element = JsonElement.Parse(written, StrictOptions);
            conversationId = element.TryGetProperty(McpPolicyMetaKeys.ConversationId, out var conversation) && conversation.ValueKind == JsonValueKind.String
                ? conversation.GetString()
                : null;
            if (cache is not null)
            {
                cache.Last = new MetaCache.Entry(written.ToArray(), element, conversationId);
            }

            return true;
        }
        catch (JsonException)
        {
            element = default;
            conversationId = null;
            return false;
        }
    }

    /// <summary>
    /// True when <paramref name="meta"/>, a materialized object, holds what the connection's last <c>_meta</c> held, judged without writing
    /// it whole: the same property names in the same order, and per value the same value (a string node compared as its text with the
    /// cached string, an object or array still backed by its source element compared as that source text, any other value written alone
    /// and compared as bytes). The cached copy passed the strict parse, so a match has no
    /// repeated name either. False (the caller writes and parses) for anything else, including a <c>_meta</c> that is itself still backed
    /// by its source element (its source text is copied and compared whole, which is as cheap).
    /// </summary>
    private static bool MatchesWithoutWriting(ref ScratchWriter? scratchSlot, JsonObject meta, MetaCache.Entry cached)
    {
        var parts = cached.Parts;
        if (parts is null || NodeSource.TryGetBackingElement(meta, out _))
        {
            return false;
        }

        var count = meta.Count;
        if (count != parts.Length)
        {
            return false;
        }

        for (var i = 0; i < count; i++)
        {
            var property = meta.GetAt(i);
            var expected = parts[i];
            if (!string.Equals(property.Key, expected.Name, StringComparison.Ordinal))
            {
                return false;
            }

            var cachedValue = expected.Value.AsSpan();
            if (property.Value is null)
            {
                if (!cachedValue.SequenceEqual("null"u8))
                {
                    return false;
                }
            }
            else if (expected.Text is { } text && property.Value is JsonValue value && value.GetValueKind() == JsonValueKind.String)
            {
                // A string (as the protocol version the client adds): the same text is the same value, without writing it.
                if (!value.TryGetValue<string>(out var current) || !string.Equals(current, text, StringComparison.Ordinal))
                {
                    return false;
                }
            }
            else if (NodeSource.TryGetBackingElement(property.Value, out var source))
            {
                if (!JsonMarshal.GetRawUtf8Value(source).SequenceEqual(cachedValue))
                {
                    return false;
                }
            }
            else
            {
                var scratch = Use(ref scratchSlot);
                scratch.Clear();
                property.Value.WriteTo(scratch.Writer, McpJsonUtilities.DefaultOptions);
                if (!scratch.WrittenSpan.SequenceEqual(cachedValue))
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>
    /// Writes <paramref name="node"/> for the strict parse: with <paramref name="sourceText"/>, objects and arrays still backed by the
    /// element they were parsed from are copied as their source text (<see cref="NodeSource"/>), else every node is written.
    /// </summary>
    private static void Write(Utf8JsonWriter writer, JsonNode node, bool sourceText)
    {
        if (sourceText)
        {
            NodeSource.WriteFast(writer, node, McpJsonUtilities.DefaultOptions);
        }
        else
        {
            node.WriteTo(writer, McpJsonUtilities.DefaultOptions);
        }
    }

    /// <summary>The scratch writer of a read, rented from the thread's slot the first time it is needed.</summary>
    private static ScratchWriter Use(ref ScratchWriter? scratch) => scratch ??= ScratchWriter.Rent(ref t_scratch, default);

    private static bool HasSurrogates(string text) => text.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') >= 0;

    /// <summary>The tool name a string node holds: read as <see cref="ReadName"/> reads it when the node is backed by an element.</summary>
    private static bool TryGetName(JsonValue node, MetaCache? cache, out string name)
    {
        if (!node.TryGetValue<JsonElement>(out var element))
        {
            return node.TryGetValue(out name!);
        }

        name = element.ValueKind == JsonValueKind.String ? ReadName(element, cache) : string.Empty;
        return element.ValueKind == JsonValueKind.String;
    }

    /// <summary>
    /// The text of a string element that names the tool. When the element's JSON text is byte for byte the text of the connection's last
    /// name, that name's string is the answer (the same JSON text always decodes to the same string), so a client calling the same tool again
    /// costs no decoding and no new string. Otherwise the text is decoded, and remembered when it names a tool the gate reads directly
    /// (not empty, no surrogate).
    /// </summary>
    private static string ReadName(JsonElement element, MetaCache? cache)
    {
        var raw = JsonMarshal.GetRawUtf8Value(element);
        if (cache?.LastName is { } last && raw.SequenceEqual(last.Raw))
        {
            return last.Name;
        }

        return DecodeName(element, raw, cache);
    }

    /// <summary><see cref="ReadName"/> for a name other than the last one (out of line: a client usually calls the same tools again).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string DecodeName(JsonElement element, ReadOnlySpan<byte> raw, MetaCache? cache)
    {
        var name = element.GetString()!;
        if (cache is not null && name.Length > 0 && !HasSurrogates(name))
        {
            cache.LastName = new MetaCache.NameEntry(raw.ToArray(), name);
        }

        return name;
    }

    /// <summary>Writes the whole params to UTF-8 and parses them back strictly: the gate's copy for params of any other shape.</summary>
    private static ToolCallReadStatus ReadWhole(JsonObject parameters, out ToolCall call)
    {
        call = default;
        JsonElement root;
        var scratch = ScratchWriter.Rent(ref t_scratch, default);
        try
        {
            if (!TryParseStrict(scratch, parameters, out root))
            {
                return ToolCallReadStatus.Ambiguous;
            }
        }
        finally
        {
            ScratchWriter.Return(ref t_scratch, scratch);
        }

        return FromElement(root, out call);
    }

    /// <summary>Reads the call from params the gate holds as an immutable element of its own (strictly parsed, or checked for repeated names).</summary>
    private static ToolCallReadStatus FromElement(JsonElement root, out ToolCall call)
    {
        // One pass over the members (no name repeats in such an element, so each is found at most once).
        ParamsMembers members = default;
        foreach (var property in root.EnumerateObject())
        {
            // Names come here unescaped (the copy was written from materialized nodes); an escaped one is still compared as its text.
            var name = JsonMarshal.GetRawUtf8PropertyName(property);
            members.Take(name.Contains((byte)'\\') ? Encoding.UTF8.GetBytes(property.Name) : name, property.Value);
        }

        return FromMembers(root, members, null, out call);
    }

    /// <summary>The call in params that repeat no property name, from their <c>name</c>, <c>arguments</c> and <c>_meta</c> members.</summary>
    private static ToolCallReadStatus FromMembers(JsonElement root, in ParamsMembers members, MetaCache? cache, out ToolCall call)
    {
        call = default;
        var nameElement = members.Name;
        var args = members.Arguments;
        var meta = members.Meta;

        if (nameElement.ValueKind != JsonValueKind.String || ReadName(nameElement, cache) is not { Length: > 0 } name)
        {
            return ToolCallReadStatus.MissingName;
        }

        JsonElement arguments = default;
        if (args.ValueKind != JsonValueKind.Undefined)
        {
            if (args.ValueKind == JsonValueKind.Object)
            {
                arguments = args;
            }
            else if (args.ValueKind != JsonValueKind.Null)
            {
                return ToolCallReadStatus.ArgumentsNotAnObject;
            }
        }

        string? conversationId = null;
        if (meta.ValueKind == JsonValueKind.Object
            && meta.TryGetProperty(McpPolicyMetaKeys.ConversationId, out var conversation) && conversation.ValueKind == JsonValueKind.String)
        {
            conversationId = conversation.GetString();
        }

        call = new ToolCall(JsonObject.Create(root)!, name, arguments, string.IsNullOrEmpty(conversationId) ? null : conversationId);
        return ToolCallReadStatus.Ok;
    }

    /// <summary>Writes <paramref name="node"/> to UTF-8 and parses it back with repeated names rejected, into an element of its own.</summary>
    private static bool TryParseStrict(ScratchWriter scratch, JsonNode node, out JsonElement element)
    {
        if (TryParseStrict(scratch, node, sourceText: true, out element))
        {
            return true;
        }

        // Source text a lenient parse let through (comments, trailing commas) is refused by the strict parse: judge the nodes as written.
        scratch.Clear();
        return TryParseStrict(scratch, node, sourceText: false, out element);
    }

    private static bool TryParseStrict(ScratchWriter scratch, JsonNode node, bool sourceText, out JsonElement element)
    {
        try
        {
            Write(scratch.Writer, node, sourceText);

            // A copy of its own, never the scratch buffer: the request that is sent is built on it.
            element = JsonElement.Parse(scratch.WrittenSpan, StrictOptions);
            return true;
        }
        catch (JsonException)
        {
            element = default;
            return false;
        }
    }
}

/// <summary>
/// What a connection's last call carried: its <c>_meta</c>, parsed (MCP clients send the same one with every call), and its tool name.
/// Each is an immutable entry replaced whole, so calls on other threads see the old entry or the new one, never a mix.
/// </summary>
internal sealed class MetaCache
{
    private volatile Entry? _last;
    private volatile NameEntry? _lastName;

    /// <summary>The last tool name read.</summary>
    public NameEntry? LastName
    {
        get => _lastName;
        set => _lastName = value;
    }

    public Entry? Last
    {
        get => _last;
        set => _last = value;
    }

    /// <summary>The bytes as written, their immutable parse, and the conversation id read from it.</summary>
    public sealed class Entry
    {
        public Entry(byte[] utf8, JsonElement element, string? conversationId)
        {
            Utf8 = utf8;
            Element = element;
            ConversationId = conversationId;
            if (element.ValueKind == JsonValueKind.Object)
            {
                var parts = new List<Part>();
                foreach (var property in element.EnumerateObject())
                {
                    var text = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : null;
                    parts.Add(new Part(property.Name, JsonMarshal.GetRawUtf8Value(property.Value).ToArray(), text));
                }

                Parts = [.. parts];
            }
        }

        public byte[] Utf8 { get; }

        public JsonElement Element { get; }

        public string? ConversationId { get; }

        /// <summary>The properties in order, each name with the source text of its value; null when the copy is not an object.</summary>
        public Part[]? Parts { get; }
    }

    /// <summary>A tool name as its JSON string token (quotes and escapes as written) and its text.</summary>
    public sealed record NameEntry(byte[] Raw, string Name);

    /// <summary>One property of a cached <c>_meta</c>: its name, unescaped, its value's text as parsed, and the string when the value is one.</summary>
    public readonly record struct Part(string Name, byte[] Value, string? Text);
}
