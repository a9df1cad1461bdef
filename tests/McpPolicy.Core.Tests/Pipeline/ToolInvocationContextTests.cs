using System.Text.Json;
using McpPolicy.Tests.TestSupport;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpPolicy.Core.Tests.Pipeline;

public sealed class ToolInvocationContextTests
{
    [Fact]
    public void Qualified_name_joins_server_and_tool()
        => Assert.Equal("fs/read_file", new ToolInvocationContext("fs", "read_file").QualifiedName);

    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    public void Server_id_must_be_non_empty_and_slash_free(string serverId)
        => Assert.ThrowsAny<ArgumentException>(() => new ToolInvocationContext(serverId, "t"));

    [Fact]
    public void Request_id_is_the_text_of_the_json_rpc_id()
    {
        // The integrations hand the id over as it is and it is written as text on first read.
        Assert.Equal("7", new ToolInvocationContext("s", "t") { RequestIdSource = new RequestId(7) }.RequestId);
        Assert.Equal("-12345678901", new ToolInvocationContext("s", "t") { RequestIdSource = new RequestId(-12345678901) }.RequestId);
        Assert.Equal("req-1", new ToolInvocationContext("s", "t") { RequestIdSource = new RequestId("req-1") }.RequestId);
        Assert.Equal("given", new ToolInvocationContext("s", "t") { RequestId = "given" }.RequestId);
        Assert.Null(new ToolInvocationContext("s", "t").RequestId);

        var context = new ToolInvocationContext("s", "t") { RequestIdSource = new RequestId(42) };
        Assert.Same(context.RequestId, context.RequestId);
    }

    [Fact]
    public void Missing_hints_take_the_specification_worst_case()
    {
        ToolHints hints = default;

        Assert.Equal((false, true, true), (hints.IsReadOnly, hints.IsDestructive, hints.IsOpenWorld));
        Assert.False(new ToolHints(true, true, null, null).IsDestructive);
    }

    [Fact]
    public void Arguments_with_duplicate_names_are_rejected()
        => Assert.ThrowsAny<JsonException>(() => ToolArguments.Parse("""{ "amount": 1, "amount": 100000 }"""));

    [Fact]
    public void Arguments_must_be_an_object()
        => Assert.Throws<ArgumentException>(() => ToolArguments.FromJson(JsonDocument.Parse("[1]").RootElement));

    [Fact]
    public void Arguments_from_a_dictionary_resolve_pointers_like_json()
    {
        var dictionary = new Dictionary<string, JsonElement> { ["options"] = JsonDocument.Parse("""{ "target": ["a", "b"] }""").RootElement };
        var arguments = ToolArguments.FromDictionary(dictionary);

        Assert.True(arguments.TryResolve("/options/target/1", out var value));
        Assert.Equal("b", value.GetString());
        Assert.False(arguments.TryResolve("/options/target/2", out _));
        Assert.Equal("""{"options":{"target":["a","b"]}}""", arguments.ToString());
    }

    [Fact]
    public void Seeded_items_are_there_when_items_are_first_read_and_stay_editable()
    {
        var server = McpServer.Create(new IdleTransport(), new McpServerOptions());
        var request = new RequestContext<CallToolRequestParams>(server, new JsonRpcRequest { Method = RequestMethods.ToolsCall }, new CallToolRequestParams { Name = "tool" });
        var context = new ToolInvocationContext("srv", "tool");
        context.SeedServerItems(request);

        Assert.Equal(2, context.Items.Count);
        Assert.Same(server, context.Items[typeof(McpServer)]);
        Assert.Same(request, context.Items[typeof(RequestContext<CallToolRequestParams>)]);

        context.Items["own"] = 1;
        context.Items.Remove(typeof(McpServer));
        Assert.Same(context.Items, context.Items);
        Assert.Equal(2, context.Items.Count);
        Assert.False(context.Items.ContainsKey(typeof(McpServer)));

        Assert.Empty(new ToolInvocationContext("srv", "tool").Items);
    }
}
