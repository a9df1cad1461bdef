using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using McpPolicy.Client;
using ModelContextProtocol;

namespace McpPolicy.Core.Tests.Client;

/// <summary>
/// The gate's reading of <c>tools/call</c> params: what it decides (name, arguments, conversation id) is exactly what it sends,
/// whatever the params look like, and a caller changing its request afterwards changes nothing that is sent.
/// </summary>
public sealed class ToolCallReaderTests
{
    private static readonly JsonDocumentOptions Strict = new() { AllowDuplicateProperties = false };

    private static readonly MetaCache SharedCache = new();

    public static TheoryData<string, string> AdversarialParams => new()
    {
        { """{"name":"echo","arguments":{"text":"a"},"name":"delete_all"}""", nameof(ToolCallReadStatus.Ambiguous) },
        { """{"name":"echo","arguments":{"text":"a"},"arguments":{"text":"b"}}""", nameof(ToolCallReadStatus.Ambiguous) },
        { """{"name":"echo","arguments":{"text":"harmless","text":"rm -rf /"}}""", nameof(ToolCallReadStatus.Ambiguous) },
        { """{"name":"echo","arguments":{"opts":{"path":"/tmp","path":"/etc"}}}""", nameof(ToolCallReadStatus.Ambiguous) },
        { """{"name":"echo","arguments":{"list":[{"a":1,"a":2}]}}""", nameof(ToolCallReadStatus.Ambiguous) },
        { """{"name":"echo","arguments":{},"_meta":{"io.mcppolicy/conversationId":"a","io.mcppolicy/conversationId":"b"}}""", nameof(ToolCallReadStatus.Ambiguous) },
        { """{"name":"echo","_meta":{},"_meta":{"io.mcppolicy/conversationId":"b"}}""", nameof(ToolCallReadStatus.Ambiguous) },
        { """{"name":"echo","Name":"delete_all","arguments":{"x":1,"x":2}}""", nameof(ToolCallReadStatus.Ambiguous) },
        { """{"arguments":{}}""", nameof(ToolCallReadStatus.MissingName) },
        { """{"name":"","arguments":{}}""", nameof(ToolCallReadStatus.MissingName) },
        { """{"name":7,"arguments":{}}""", nameof(ToolCallReadStatus.MissingName) },
        { """{"name":null}""", nameof(ToolCallReadStatus.MissingName) },
        { """{"name":"echo","arguments":[1]}""", nameof(ToolCallReadStatus.ArgumentsNotAnObject) },
        { """{"name":"echo","arguments":"text"}""", nameof(ToolCallReadStatus.ArgumentsNotAnObject) },
        { """{"name":"echo","arguments":{"text":"a"}}""", nameof(ToolCallReadStatus.Ok) },
        { """{"name":"echo","arguments":null,"_meta":null}""", nameof(ToolCallReadStatus.Ok) },
        { """{"name":"echo","Name":"delete_all","arguments":{}}""", nameof(ToolCallReadStatus.Ok) },
        { """{"name":"echo","arguments":{},"task":{"ttl":5},"_meta":{"progressToken":1}}""", nameof(ToolCallReadStatus.Ok) },
        { """{"n\u0061me":"echo","\u0061rguments":{"text":"a"},"task":{"ttl":5}}""", nameof(ToolCallReadStatus.Ok) },
        { """{"name":"echo","_meta":{"io.mcppolicy/conversationId":42}}""", nameof(ToolCallReadStatus.Ok) },
        { """{"name":"echo","_meta":"not an object"}""", nameof(ToolCallReadStatus.Ok) },
    };

    [Theory]
    [MemberData(nameof(AdversarialParams))]
    public void Params_are_judged_the_same_whether_parsed_or_built_as_nodes_and_what_is_sent_is_what_was_read(string json, string expected)
    {
        foreach (var parameters in Shapes(json))
        {
            var status = ToolCallReader.Read(parameters, out var call);

            Assert.Equal(Enum.Parse<ToolCallReadStatus>(expected), status);
            if (status == ToolCallReadStatus.Ok)
            {
                AssertSentIsWhatWasRead(call);
                using var original = JsonDocument.Parse(json);
                Assert.True(JsonElement.DeepEquals(original.RootElement, Sent(call).RootElement), "The params sent differ from the params received.");
            }
        }
    }

    [Fact]
    public void Params_that_are_not_an_object_are_refused()
    {
        Assert.Equal(ToolCallReadStatus.ParamsNotAnObject, ToolCallReader.Read(null, out _));
        Assert.Equal(ToolCallReadStatus.ParamsNotAnObject, ToolCallReader.Read(JsonNode.Parse("[1]"), out _));
        Assert.Equal(ToolCallReadStatus.ParamsNotAnObject, ToolCallReader.Read(JsonValue.Create("echo"), out _));
    }

    [Fact]
    public void Changing_the_request_after_it_was_read_changes_nothing_that_is_sent()
    {
        var parameters = new JsonObject
        {
            ["name"] = "echo",
            ["arguments"] = new JsonObject { ["text"] = "harmless", ["nested"] = new JsonObject { ["path"] = "/tmp" } },
            ["_meta"] = new JsonObject { [McpPolicyMetaKeys.ConversationId] = "c1", ["progressToken"] = 3 },
        };
        var before = parameters.ToJsonString(McpJsonUtilities.DefaultOptions);

        Assert.Equal(ToolCallReadStatus.Ok, ToolCallReader.Read(parameters, out var call));
        parameters["name"] = "delete_all";
        parameters["arguments"]!["text"] = "rm -rf /";
        parameters["arguments"]!["nested"]!["path"] = "/etc";
        parameters["_meta"]![McpPolicyMetaKeys.ConversationId] = "c2";
        parameters["extra"] = true;

        Assert.Equal(before, call.Parameters.ToJsonString(McpJsonUtilities.DefaultOptions));
        Assert.Equal("echo", call.Name);
        Assert.Equal("harmless", call.Arguments.GetProperty("text").GetString());
        Assert.Equal("c1", call.ConversationId);
        Assert.NotSame(parameters["_meta"], call.Meta);
    }

    [Fact]
    public void A_request_is_never_changed_by_reading_it()
    {
        var parameters = JsonNode.Parse("""{"name":"echo","arguments":{"text":"a"},"_meta":{"io.mcppolicy/conversationId":"c1"}}""")!.AsObject();
        var before = parameters.ToJsonString();

        Assert.Equal(ToolCallReadStatus.Ok, ToolCallReader.Read(parameters, out var call));

        Assert.Equal(before, parameters.ToJsonString());
        Assert.NotSame(parameters, call.Parameters);
        Assert.Equal(ToolCallReadStatus.Ok, ToolCallReader.Read(parameters, out var again));
        Assert.Equal(call.Parameters.ToJsonString(), again.Parameters.ToJsonString());
    }

    [Theory]
    [InlineData("echo\uD800")]
    [InlineData("\uDC00echo")]
    [InlineData("ec\uD83D\uDE00ho")]
    public void A_name_with_surrogates_is_checked_as_it_is_sent(string name)
    {
        var parameters = new JsonObject { ["name"] = name, ["arguments"] = new JsonObject(), ["_meta"] = new JsonObject { [McpPolicyMetaKeys.ConversationId] = name } };

        var status = ToolCallReader.Read(parameters, out var call);

        Assert.Equal(ToolCallReadStatus.Ok, status);
        AssertSentIsWhatWasRead(call);
    }

    [Fact]
    public void A_connection_reuses_its_last_meta_only_for_the_same_bytes()
    {
        var cache = new MetaCache();
        JsonObject Params(string conversation) => new()
        {
            ["name"] = "echo",
            ["_meta"] = new JsonObject { [McpPolicyMetaKeys.ConversationId] = conversation, ["io.modelcontextprotocol/protocolVersion"] = "2026-07-28" },
        };

        Assert.Equal(ToolCallReadStatus.Ok, ToolCallReader.Read(Params("c1"), out var first, cache));
        var entry = cache.Last;
        Assert.Equal(ToolCallReadStatus.Ok, ToolCallReader.Read(Params("c1"), out var same, cache));
        Assert.Same(entry, cache.Last);
        Assert.Equal(ToolCallReadStatus.Ok, ToolCallReader.Read(Params("c2"), out var other, cache));
        Assert.Equal(ToolCallReadStatus.Ambiguous, ToolCallReader.Read(JsonNode.Parse("""{"name":"echo","_meta":{"a":{"b":1,"b":2}}}"""), out _, cache));

        Assert.Equal("c1", first.ConversationId);
        Assert.Equal("c1", same.ConversationId);
        Assert.Equal("c2", other.ConversationId);
        Assert.NotSame(first.Meta, same.Meta);
        Assert.Equal("c2", (string?)other.Parameters["_meta"]![McpPolicyMetaKeys.ConversationId]);
    }

    [Fact]
    public void The_source_text_of_a_parsed_object_or_array_can_be_read_until_it_is_materialized()
    {
        // If a System.Text.Json update renames the field this reads, the gate still works (nodes are written) but loses its fast path.
        Assert.True(NodeSource.IsAvailable);
        var obj = JsonNode.Parse("""{"a":[1,2],"b":"x"}""")!.AsObject();
        var array = JsonNode.Parse("[1,{\"c\":2}]")!.AsArray();

        Assert.True(NodeSource.TryGetBackingElement(obj, out var element));
        Assert.Equal("""{"a":[1,2],"b":"x"}""", element.GetRawText());
        Assert.True(NodeSource.TryGetBackingElement(array, out _));
        Assert.False(NodeSource.TryGetBackingElement(JsonValue.Create("x"), out _));
        Assert.False(NodeSource.TryGetBackingElement(new JsonObject { ["a"] = 1 }, out _));

        _ = obj.Count;
        Assert.False(NodeSource.TryGetBackingElement(obj, out _));
        Assert.True(NodeSource.TryGetBackingElement(obj["a"]!, out var child));
        Assert.Equal("[1,2]", child.GetRawText());
    }

    [Fact]
    public void Nodes_parsed_leniently_are_read_as_their_values_not_refused_for_their_comments_or_trailing_commas()
    {
        var lenient = new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
        var parameters = new JsonObject
        {
            ["name"] = "echo",
            ["arguments"] = JsonNode.Parse("""{"text":"a", /* note */ "n":[1,2,],}""", documentOptions: lenient),
            ["_meta"] = new JsonObject
            {
                [McpPolicyMetaKeys.ConversationId] = "c1",
                ["io.modelcontextprotocol/clientInfo"] = JsonNode.Parse("{\"name\":\"t\", // host\n\"version\":\"1\",}", documentOptions: lenient),
            },
        };

        foreach (var cache in new[] { null, new MetaCache() })
        {
            Assert.Equal(ToolCallReadStatus.Ok, ToolCallReader.Read(parameters, out var call, cache));
            Assert.Equal("""{"text":"a","n":[1,2]}""", JsonSerializer.Serialize(call.Arguments));
            Assert.Equal("c1", call.ConversationId);
            AssertSentIsWhatWasRead(call);
            Assert.Equal(
                """{"name":"echo","arguments":{"text":"a","n":[1,2]},"_meta":{"io.mcppolicy/conversationId":"c1","io.modelcontextprotocol/clientInfo":{"name":"t","version":"1"}}}""",
                call.Parameters.ToJsonString());
        }
    }

    [Fact]
    public void A_meta_built_anew_for_every_call_like_the_mcp_clients_is_reused_only_while_every_part_is_the_same()
    {
        var cache = new MetaCache();
        JsonObject Params(string conversation, string version = "1", string capabilities = """{"sampling":{}}""", bool extra = false, bool reorder = false)
        {
            var meta = new JsonObject();
            if (reorder)
            {
                meta["io.modelcontextprotocol/clientCapabilities"] = JsonNode.Parse(capabilities);
            }

            meta["io.modelcontextprotocol/protocolVersion"] = "2026-07-28";
            meta[McpPolicyMetaKeys.ConversationId] = conversation;
            meta["io.modelcontextprotocol/clientInfo"] = JsonSerializer.SerializeToNode(new { name = "host", version }, McpJsonUtilities.DefaultOptions);
            if (!reorder)
            {
                meta["io.modelcontextprotocol/clientCapabilities"] = JsonNode.Parse(capabilities);
            }

            if (extra)
            {
                meta["progressToken"] = 7;
            }

            return new JsonObject { ["name"] = "echo", ["arguments"] = JsonNode.Parse("""{"text":"a"}"""), ["_meta"] = meta };
        }

        void AssertReads(JsonObject parameters, string conversation, bool reused)
        {
            var expected = parameters["_meta"]!.ToJsonString();
            var before = cache.Last;
            Assert.Equal(ToolCallReadStatus.Ok, ToolCallReader.Read(parameters, out var call, cache));
            Assert.Equal(reused, ReferenceEquals(before, cache.Last));
            Assert.Equal(conversation, call.ConversationId);
            Assert.Equal(expected, call.Meta!.ToJsonString());
            AssertSentIsWhatWasRead(call);
        }

        AssertReads(Params("c1"), "c1", reused: false);
        AssertReads(Params("c1"), "c1", reused: true);
        AssertReads(Params("c2"), "c2", reused: false);
        AssertReads(Params("c2", version: "2"), "c2", reused: false);
        AssertReads(Params("c2", version: "2", capabilities: """{"sampling":{},"roots":{}}"""), "c2", reused: false);
        AssertReads(Params("c2", version: "2", capabilities: """{"sampling":{},"roots":{}}""", extra: true), "c2", reused: false);
        AssertReads(Params("c2", version: "2", capabilities: """{"sampling":{},"roots":{}}"""), "c2", reused: false);
        AssertReads(Params("c2", version: "2", capabilities: """{"sampling":{},"roots":{}}""", reorder: true), "c2", reused: false);
        AssertReads(Params("c2", version: "2", capabilities: """{"sampling":{},"roots":{}}""", reorder: true), "c2", reused: true);

        // A repeated name inside a part is refused, though every other part is the cached one's.
        Assert.Equal(ToolCallReadStatus.Ambiguous, ToolCallReader.Read(Params("c2", version: "2", capabilities: """{"sampling":{},"sampling":{"x":1}}""", reorder: true), out _, cache));
        AssertReads(Params("c2", version: "2", capabilities: """{"sampling":{},"roots":{}}""", reorder: true), "c2", reused: true);
    }

    [Fact]
    public void Read_agrees_with_a_strict_parse_of_the_whole_params_and_sends_what_it_read()
    {
        Check.One(
            Config.QuickThrowOnFailure.WithMaxTest(500),
            Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), seed =>
            {
                var json = RandomParams(new Random(seed));
                var expected = Oracle(json, out var name, out var arguments, out var conversationId);
                foreach (var parameters in Shapes(json).Concat(Shapes(json)))
                {
                    // One cache for every case: the same _meta is read from it, a different one is not.
                    var status = ToolCallReader.Read(parameters, out var call, SharedCache);
                    if (expected == ToolCallReadStatus.Ok)
                    {
                        Assert.True(status == ToolCallReadStatus.Ok, $"{json}: {status}");
                        Assert.Equal(name, call.Name);
                        Assert.Equal(conversationId, call.ConversationId);
                        Assert.True(SameArguments(arguments, call.Arguments), json);
                        AssertSentIsWhatWasRead(call);
                        using var original = JsonDocument.Parse(json);
                        Assert.True(JsonElement.DeepEquals(original.RootElement, Sent(call).RootElement), json);
                    }
                    else
                    {
                        // Rejected either way; a call with two faults may be refused for either of them.
                        Assert.True(status != ToolCallReadStatus.Ok, $"{json} was read although a strict reader refuses it ({expected}).");
                    }
                }
            }));
    }

    /// <summary>
    /// The connection remembers the last tool name's JSON text and its decoded string: a call whose name is written differently (another
    /// name of the same length, the same name escaped differently) is decoded afresh, in every shape of params, and the same text gives the
    /// remembered string itself.
    /// </summary>
    [Fact]
    public void The_tool_name_is_decoded_afresh_whenever_its_json_text_differs_from_the_last_calls()
    {
        string[] names = ["\"echo\"", "\"ecHo\"", "\"echO\"", "\"e\\u0063ho\"", "\"\\u0065cho\"", "\"e\\u0063h\\u006f\"", "\"send\"", "\"\\u00e9cho\"", "\"écho\"", "\"echo2\""];
        var cache = new MetaCache();
        var random = new Random(20261121);
        for (var i = 0; i < 3000; i++)
        {
            var json = $$$"""{"name":{{{names[random.Next(names.Length)]}}},"arguments":{"a":1}}""";
            var expected = JsonDocument.Parse(json).RootElement.GetProperty("name").GetString();

            // The 2026-07-28 client's shape: parsed params with a _meta object added as nodes, so the name is a node over its element.
            var withMeta = JsonNode.Parse(json)!.AsObject();
            withMeta["_meta"] = new JsonObject { ["io.modelcontextprotocol/protocolVersion"] = "2026-07-28" };
            foreach (var parameters in Shapes(json).Append(withMeta))
            {
                Assert.Equal(ToolCallReadStatus.Ok, ToolCallReader.Read(parameters, out var call, cache));
                Assert.True(expected == call.Name, $"{json} read as {call.Name}");
            }
        }

        ToolCallReader.Read(JsonNode.Parse("""{"name":"echo"}"""), out var first, cache);
        ToolCallReader.Read(JsonNode.Parse("""{"name":"echo","arguments":{}}"""), out var second, cache);
        Assert.Same(first.Name, second.Name);
    }

    /// <summary>The same params as the MCP client builds them (parsed, lazily read) and as code builds them (nodes all the way down).</summary>
    private static IEnumerable<JsonNode> Shapes(string json)
    {
        yield return JsonNode.Parse(json)!;
        if (IsStrict(json))
        {
            yield return Materialize(JsonNode.Parse(json)!);
            yield return Mixed(JsonNode.Parse(json)!);
        }
    }

    /// <summary>Whether a strict parse (repeated names refused) accepts <paramref name="json"/>.</summary>
    internal static bool IsStrict(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json, Strict);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>As the MCP client builds params under 2026-07-28: objects built as nodes two levels deep, the values below parsed (still backed by their source text).</summary>
    private static JsonNode Mixed(JsonNode node, int depth = 2)
    {
        if (node is not JsonObject obj || depth == 0)
        {
            return JsonNode.Parse(node.ToJsonString())!;
        }

        var copy = new JsonObject();
        foreach (var property in obj)
        {
            copy[property.Key] = property.Value is null ? null : Mixed(property.Value, depth - 1);
        }

        return copy;
    }

    private static JsonNode Materialize(JsonNode node)
    {
        switch (node)
        {
            case JsonObject obj:
                var copy = new JsonObject();
                foreach (var property in obj)
                {
                    copy[property.Key] = property.Value is null ? null : Materialize(property.Value);
                }

                return copy;
            case JsonArray array:
                var items = new JsonArray();
                foreach (var item in array)
                {
                    items.Add(item is null ? null : Materialize(item));
                }

                return items;
            default:
                return node.GetValueKind() switch
                {
                    JsonValueKind.String => JsonValue.Create(node.GetValue<string>()),
                    JsonValueKind.Number => JsonValue.Create(node.GetValue<decimal>()),
                    JsonValueKind.True => JsonValue.Create(true),
                    _ => JsonValue.Create(false),
                };
        }
    }

    private static bool SameArguments(JsonElement a, JsonElement b)
        => a.ValueKind == JsonValueKind.Undefined ? b.ValueKind == JsonValueKind.Undefined : b.ValueKind != JsonValueKind.Undefined && JsonElement.DeepEquals(a, b);

    /// <summary>What the server reads: the params as the inner transport serializes them, parsed back.</summary>
    private static JsonDocument Sent(ToolCall call)
        => JsonDocument.Parse(JsonSerializer.SerializeToUtf8Bytes(call.Parameters, McpJsonUtilities.DefaultOptions));

    private static void AssertSentIsWhatWasRead(ToolCall call)
    {
        using var sent = Sent(call);
        var root = sent.RootElement;

        // The name and the arguments the server reads are unambiguous and equal to what was decided.
        using var strictName = JsonDocument.Parse(root.GetProperty("name").GetRawText(), Strict);
        Assert.Equal(call.Name, root.GetProperty("name").GetString());
        if (root.TryGetProperty("arguments", out var arguments) && arguments.ValueKind != JsonValueKind.Null)
        {
            using var strictArguments = JsonDocument.Parse(arguments.GetRawText(), Strict);
            Assert.True(JsonElement.DeepEquals(call.Arguments, strictArguments.RootElement));
        }
        else
        {
            Assert.Equal(JsonValueKind.Undefined, call.Arguments.ValueKind);
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject())
        {
            Assert.True(names.Add(property.Name), $"'{property.Name}' is sent twice.");
        }

        if (call.ConversationId is not null)
        {
            Assert.Equal(call.ConversationId, root.GetProperty("_meta").GetProperty(McpPolicyMetaKeys.ConversationId).GetString());
        }
    }

    /// <summary>The gate's rules applied to a strict parse of the whole text.</summary>
    private static ToolCallReadStatus Oracle(string json, out string? name, out JsonElement arguments, out string? conversationId)
    {
        name = null;
        arguments = default;
        conversationId = null;
        JsonElement root;
        try
        {
            root = JsonElement.Parse(json, Strict);
        }
        catch (JsonException)
        {
            return ToolCallReadStatus.Ambiguous;
        }

        if (!root.TryGetProperty("name", out var n) || n.ValueKind != JsonValueKind.String || n.GetString() is not { Length: > 0 } text)
        {
            return ToolCallReadStatus.MissingName;
        }

        name = text;
        if (root.TryGetProperty("arguments", out var a) && a.ValueKind != JsonValueKind.Null)
        {
            if (a.ValueKind != JsonValueKind.Object)
            {
                return ToolCallReadStatus.ArgumentsNotAnObject;
            }

            arguments = a;
        }

        if (root.TryGetProperty("_meta", out var meta) && meta.ValueKind == JsonValueKind.Object
            && meta.TryGetProperty(McpPolicyMetaKeys.ConversationId, out var c) && c.ValueKind == JsonValueKind.String && c.GetString() is { Length: > 0 } id)
        {
            conversationId = id;
        }

        return ToolCallReadStatus.Ok;
    }

    /// <summary>Params of every shape the reader distinguishes, with repeated names placed where they matter.</summary>
    private static string RandomParams(Random random)
    {
        var properties = new List<string>();
        if (random.Next(10) != 0)
        {
            properties.Add("\"name\":" + Pick(random, "\"echo\"", "\"delete_all\"", "\"\"", "7", "null", "\"e\\u0063ho\""));
        }

        if (random.Next(4) != 0)
        {
            properties.Add("\"arguments\":" + (random.Next(8) == 0 ? Pick(random, "null", "[1]", "\"x\"") : RandomObject(random, 2, ["text", "path", "opts", "n"])));
        }

        if (random.Next(2) == 0)
        {
            properties.Add("\"_meta\":" + (random.Next(10) == 0 ? "\"x\"" : RandomMeta(random)));
        }

        if (random.Next(8) == 0)
        {
            properties.Add(Pick(random, "\"Name\":\"delete_all\"", "\"task\":{\"ttl\":1}", "\"ARGUMENTS\":{}"));
        }

        if (random.Next(8) == 0 && properties.Count > 0)
        {
            // A top-level name repeated.
            properties.Add(properties[random.Next(properties.Count)]);
        }

        Shuffle(random, properties);
        return "{" + string.Join(",", properties) + "}";
    }

    private static string RandomMeta(Random random)
    {
        var entries = new List<string>();
        if (random.Next(2) == 0)
        {
            entries.Add($"\"{McpPolicyMetaKeys.ConversationId}\":" + Pick(random, "\"c1\"", "\"\"", "5", "null"));
        }

        if (random.Next(2) == 0)
        {
            entries.Add("\"io.modelcontextprotocol/clientInfo\":{\"name\":\"t\",\"version\":\"1\"}");
        }

        if (random.Next(3) == 0)
        {
            entries.Add("\"progressToken\":" + random.Next(100));
        }

        if (random.Next(10) == 0 && entries.Count > 0)
        {
            entries.Add(entries[0]);
        }

        return "{" + string.Join(",", entries) + "}";
    }

    private static string RandomObject(Random random, int depth, string[] names)
    {
        var entries = new List<string>();
        var count = random.Next(4);
        for (var i = 0; i < count; i++)
        {
            var key = names[random.Next(names.Length)];
            if (entries.Exists(e => e.StartsWith($"\"{key}\":", StringComparison.Ordinal)) && random.Next(6) != 0)
            {
                continue;
            }

            entries.Add($"\"{key}\":" + RandomValue(random, depth));
        }

        return "{" + string.Join(",", entries) + "}";
    }

    private static string RandomValue(Random random, int depth)
    {
        var kind = random.Next(depth > 0 ? 7 : 5);
        return kind switch
        {
            0 => "\"s" + random.Next(10) + "\"",
            1 => random.Next(-5, 5).ToString(System.Globalization.CultureInfo.InvariantCulture),
            2 => "true",
            3 => "null",
            4 => "1.5e3",
            5 => "[" + RandomValue(random, depth - 1) + "," + RandomObject(random, depth - 1, ["a", "b"]) + "]",
            _ => RandomObject(random, depth - 1, ["a", "b", "path"]),
        };
    }

    private static string Pick(Random random, params string[] choices) => choices[random.Next(choices.Length)];

    private static void Shuffle(Random random, List<string> items)
    {
        for (var i = items.Count - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
