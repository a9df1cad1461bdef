namespace McpPolicy.Core.Tests.Client;

public sealed class McpPolicyConversationTests
{
    [Fact]
    public void Scopes_nest_and_restore_the_enclosing_conversation()
    {
        Assert.Null(McpPolicyConversation.CurrentId);
        using (McpPolicyConversation.Begin("outer"))
        {
            using (McpPolicyConversation.Begin("inner"))
            {
                Assert.Equal("inner", McpPolicyConversation.CurrentId);
            }

            Assert.Equal("outer", McpPolicyConversation.CurrentId);
        }

        Assert.Null(McpPolicyConversation.CurrentId);
    }

    [Fact]
    public async Task The_scope_flows_into_awaited_work_and_child_tasks()
    {
        using var scope = McpPolicyConversation.Begin("conv-1");

        await Task.Yield();
        var seenByChild = await Task.Run(() => McpPolicyConversation.CurrentId);

        Assert.Equal("conv-1", McpPolicyConversation.CurrentId);
        Assert.Equal("conv-1", seenByChild);
    }

    [Fact]
    public async Task A_scope_begun_in_a_callee_does_not_leak_to_the_caller()
    {
        static async Task BeginElsewhereAsync()
        {
            McpPolicyConversation.Begin("callee");
            await Task.Yield();
        }

        await BeginElsewhereAsync();

        Assert.Null(McpPolicyConversation.CurrentId);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void Conversation_id_must_not_be_blank(string id)
        => Assert.ThrowsAny<ArgumentException>(() => McpPolicyConversation.Begin(id));
}
