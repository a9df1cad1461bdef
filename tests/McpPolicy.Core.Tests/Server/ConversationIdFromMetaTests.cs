using System.Text.Json;
using System.Text.Json.Nodes;
using McpPolicy.Client;
using McpPolicy.Tests.TestSupport;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpPolicy.Core.Tests.Server;

/// <summary>
/// <see cref="McpPolicyServerOptions.ConversationIdFromMeta"/> on <c>_meta</c> as the SDK hands it over (deserialized from the request,
/// still backed by its text) and as nodes built in code: the same answer either way, and the SDK's object is not materialized.
/// </summary>
public sealed class ConversationIdFromMetaTests
{
    private static readonly McpServer Server = McpServer.Create(new IdleTransport(), new McpServerOptions());

    public static TheoryData<string, string?> Cases => new()
    {
        { """{"io.mcppolicy/conversationId":"c-1"}""", "c-1" },
        { """{"io.modelcontextprotocol/clientInfo":{"name":"x","version":"1"},"io.mcppolicy/conversationId":"c-2","other":[1,2]}""", "c-2" },
        { """{"io.mcppolicy/conversationId":"caf\u00e9 \"q\""}""", "café \"q\"" },
        { """{"io.mcppolicy/conversationId":""}""", null },
        { """{"io.mcppolicy/conversationId":null}""", null },
        { """{"io.mcppolicy/conversationId":42}""", null },
        { """{"io.mcppolicy/conversationId":{"id":"c"}}""", null },
        { """{"IO.MCPPOLICY/CONVERSATIONID":"c-3"}""", null },
        { """{"io.mcppolicy/conversationid":"c-4"}""", null },
        { """{"other":"c-5"}""", null },
        { """{}""", null },
        { "{\"io.mcppolicy/conversationId\":\"" + new string('a', McpPolicyServerOptions.MaxConversationIdLength) + "\"}", new string('a', McpPolicyServerOptions.MaxConversationIdLength) },
        { "{\"io.mcppolicy/conversationId\":\"" + new string('a', McpPolicyServerOptions.MaxConversationIdLength + 1) + "\"}", null },
    };

    /// <summary>Names that differ from the key only in case, escapes or look-alike letters: the SDK's nodes compare names ignoring case.</summary>
    public static TheoryData<string> NameVariants => new()
    {
        """{"io.mcppolicy/conver\u0073ationId":"v-1"}""",
        """{"io.mcppolicy/CONVER\u0053ATIONID":"v-2"}""",
        """{"io.mcppolicy/conversat\u0131onId":"v-3"}""",
        """{"io.mcppolicy/conver\u017Fationid":"v-4"}""",
        """{"io.mcppolicy/conversationId\u0000":"v-5"}""",
        """{"io.mcppolicy/conversationIdx":"v-6"}""",
        """{"io.mcppolicy/conversationI":"v-7"}""",
        """{"io.mcppolicy/conversationId":"v-8","IO.MCPPOLICY/CONVERSATIONID":"v-9"}""",
        """{"io.mcppolicy/conversationid":"v-10","other":"x"}""",
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Reads_the_id_from_the_sdk_meta_as_the_node_lookup_does(string metaJson, string? expectedFromNodes)
    {
        AssertSameAsNodeLookup(metaJson);

        var built = new RequestContext<CallToolRequestParams>(
            Server,
            new JsonRpcRequest { Method = RequestMethods.ToolsCall },
            new CallToolRequestParams { Name = "echo", Meta = JsonNode.Parse(metaJson)!.AsObject() });
        Assert.Equal(expectedFromNodes, McpPolicyServerOptions.ConversationIdFromMeta(built));
    }

    [Theory]
    [MemberData(nameof(NameVariants))]
    public void Compares_names_as_the_node_lookup_does(string metaJson) => AssertSameAsNodeLookup(metaJson);

    [Fact]
    public void The_sdk_meta_ignores_case_in_names()
    {
        // The SDK's serializer options make _meta compare names ignoring case; the resolver keeps that.
        Assert.Equal("c-3", McpPolicyServerOptions.ConversationIdFromMeta(SdkRequest("""{"IO.MCPPOLICY/CONVERSATIONID":"c-3"}""")));
    }

    [Fact]
    public void Does_not_materialize_the_sdk_meta()
    {
        var request = SdkRequest("""{"io.modelcontextprotocol/clientInfo":{"name":"x","version":"1"},"io.modelcontextprotocol/clientCapabilities":{"sampling":{}},"io.mcppolicy/conversationId":"c-1"}""");
        Assert.True(NodeSource.TryGetBackingElement(request.Params!.Meta!, out _), "the harness must hand over an element-backed _meta");

        Assert.Equal("c-1", McpPolicyServerOptions.ConversationIdFromMeta(request));

        Assert.True(NodeSource.TryGetBackingElement(request.Params!.Meta!, out _), "reading the conversation id materialized _meta");
    }

    [Fact]
    public void A_repeated_id_is_judged_as_the_node_lookup_judges_it()
        => AssertSameAsNodeLookup("""{"io.mcppolicy/conversationId":"first","io.mcppolicy/conversationId":"second"}""");

    [Fact]
    public void No_params_or_no_meta_is_no_id()
    {
        Assert.Null(McpPolicyServerOptions.ConversationIdFromMeta(new RequestContext<CallToolRequestParams>(Server, new JsonRpcRequest { Method = RequestMethods.ToolsCall }, null!)));
        Assert.Null(McpPolicyServerOptions.ConversationIdFromMeta(SdkRequest(null)));
    }

    /// <summary>
    /// The resolver on the SDK's element-backed <c>_meta</c> answers (or fails) exactly as a lookup in the materialized node does, which
    /// is what it did before it read the element.
    /// </summary>
    private static void AssertSameAsNodeLookup(string metaJson)
    {
        var reference = SdkRequest(metaJson).Params!.Meta!;
        string? expected = null;
        Exception? expectedFailure = null;
        try
        {
            expected = reference.TryGetPropertyValue(McpPolicyMetaKeys.ConversationId, out var node) && node is JsonValue value
                && value.TryGetValue<string>(out var id) && id.Length is > 0 and <= McpPolicyServerOptions.MaxConversationIdLength ? id : null;
        }
#pragma warning disable CA1031 // The reference's failure is what the resolver must reproduce.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            expectedFailure = ex;
        }

        var request = SdkRequest(metaJson);
        if (expectedFailure is null)
        {
            Assert.Equal(expected, McpPolicyServerOptions.ConversationIdFromMeta(request));
        }
        else
        {
            Assert.Throws(expectedFailure.GetType(), () => McpPolicyServerOptions.ConversationIdFromMeta(request));
        }
    }

    /// <summary>A request context as the server builds it: the request line deserialized, then its params.</summary>
    private static RequestContext<CallToolRequestParams> SdkRequest(string? metaJson)
    {
        var line = """{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}""" + (metaJson is null ? string.Empty : ",\"_meta\":" + metaJson) + "}}";
        var request = (JsonRpcRequest)JsonSerializer.Deserialize<JsonRpcMessage>(line, McpJsonUtilities.DefaultOptions)!;
        var parameters = JsonSerializer.Deserialize<CallToolRequestParams>(request.Params, McpJsonUtilities.DefaultOptions)!;
        return new RequestContext<CallToolRequestParams>(Server, request, parameters);
    }
}
