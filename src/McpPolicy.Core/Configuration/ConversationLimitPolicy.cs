namespace McpPolicy;

/// <summary>The <c>limits.perConversation</c> budgets. Unset budgets do not apply.</summary>
public sealed class ConversationLimitPolicy
{
    /// <summary>Calls a conversation may make (calls denied before the limits step are not counted).</summary>
    public int? MaxCalls { get; set; }

    /// <summary>Calls that need a human approval (HIGH) a conversation may ask for.</summary>
    public int? MaxApprovals { get; set; }

    /// <summary>Bytes of arguments (UTF-8 JSON) a conversation may send to tools labelled <see cref="FlowLabels.ExternalSink"/>.</summary>
    public long? MaxSinkBytes { get; set; }
}
