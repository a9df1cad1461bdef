namespace McpPolicy;

/// <summary>The <c>_meta</c> keys McpPolicy reads from and writes to MCP requests and results.</summary>
public static class McpPolicyMetaKeys
{
    /// <summary>A request <c>_meta</c> key carrying the conversation id a host scoped the call to.</summary>
    public const string ConversationId = "io.mcppolicy/conversationId";

    /// <summary>A result <c>_meta</c> key carrying the decision's risk on denials.</summary>
    public const string Risk = "io.mcppolicy/risk";

    /// <summary>A result <c>_meta</c> key carrying the id of the rule that decided a denial.</summary>
    public const string RuleId = "io.mcppolicy/ruleId";
}
