namespace McpPolicy;

/// <summary>
/// The <c>limits</c> section: rate limits, concurrency and per-call timeouts per <c>server/tool</c> glob, and budgets per conversation.
/// A call over any limit is denied with the limit's id (for example <c>limits.perTool[fs/*].perMinute</c>). Enforced by <see cref="LimitFilter"/>.
/// </summary>
public sealed class LimitsPolicy
{
    /// <summary>Limits keyed by a glob on <c>server/tool</c>; every entry whose glob matches a call applies to it.</summary>
    public IDictionary<string, ToolLimitPolicy> PerTool { get; } = new Dictionary<string, ToolLimitPolicy>(StringComparer.Ordinal);

    /// <summary>Budgets of one conversation (calls that carry no conversation id are not counted).</summary>
    public ConversationLimitPolicy PerConversation { get; } = new();
}
