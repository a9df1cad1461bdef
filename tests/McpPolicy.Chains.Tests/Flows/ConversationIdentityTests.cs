using System.Security.Claims;
using System.Text.Json.Nodes;

namespace McpPolicy.Chains.Tests.Flows;

public sealed class ConversationIdentityTests
{
    [Fact]
    public void Explicit_scope_wins_then_principal_and_client_then_the_default()
    {
        var principal = new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", "alice"), new Claim("client_id", "agent-1")], "test"));

        Assert.Equal("scope", ConversationIdentity.Resolve(new ToolInvocationContext("s", "t") { ConversationId = "scope", Principal = principal }));
        Assert.Equal("principal:alice|client:agent-1", ConversationIdentity.Resolve(new ToolInvocationContext("s", "t") { Principal = principal }));
        Assert.Equal("principal:bob|client:", ConversationIdentity.Resolve(new ToolInvocationContext("s", "t") { Principal = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, "bob")], "test")) }));
        Assert.Equal(ConversationIdentity.Default, ConversationIdentity.Resolve(new ToolInvocationContext("s", "t") { Principal = new ClaimsPrincipal(new ClaimsIdentity()) }));
        Assert.Equal(ConversationIdentity.Default, ConversationIdentity.Resolve(new ToolInvocationContext("s", "t")));
    }

    [Theory]
    [InlineData("""{ "io.mcppolicy/conversationId": "c-1", "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" }""", "c-1")]
    [InlineData("""{ "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" }""", "trace:4bf92f3577b34da6a3ce929d0e0e4736")]
    [InlineData("""{ "traceparent": "00-00000000000000000000000000000000-00f067aa0ba902b7-01" }""", null)]
    [InlineData("""{ "traceparent": "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01" }""", null)]
    [InlineData("""{ "traceparent": "garbage" }""", null)]
    [InlineData("""{ "io.mcppolicy/conversationId": 5 }""", null)]
    [InlineData("""{ "io.mcppolicy/conversationId": "" }""", null)]
    [InlineData("""{ }""", null)]
    public void Meta_names_the_conversation_by_explicit_id_then_trace_id(string meta, string? expected)
    {
        Assert.Equal(expected, ConversationIdentity.FromMeta(JsonNode.Parse(meta)!.AsObject()));
    }

    [Fact]
    public void An_overlong_id_is_ignored()
    {
        Assert.Null(ConversationIdentity.FromMeta(new JsonObject { [McpPolicyMetaKeys.ConversationId] = new string('x', ConversationIdentity.MaxLength + 1) }));
        Assert.Null(ConversationIdentity.FromMeta(null));
    }
}
