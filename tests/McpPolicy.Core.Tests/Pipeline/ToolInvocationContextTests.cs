using System.Text.Json;

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
}
