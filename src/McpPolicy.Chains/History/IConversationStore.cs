namespace McpPolicy.Chains;

/// <summary>
/// Holds the recent tool-call history of each conversation, for rules that look at what came before a call.
/// Implementations must be thread-safe; a host running several instances plugs in a shared store.
/// </summary>
public interface IConversationStore
{
    /// <summary>Appends a call to a conversation's history, dropping the oldest call when the history is full.</summary>
    /// <param name="conversationId">The conversation.</param>
    /// <param name="conversationEvent">The call.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the call is recorded.</returns>
    ValueTask AppendAsync(string conversationId, ConversationEvent conversationEvent, CancellationToken cancellationToken = default);

    /// <summary>Gets a snapshot of a conversation's history, oldest call first; empty for an unknown or expired conversation.</summary>
    /// <param name="conversationId">The conversation.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The history.</returns>
    ValueTask<IReadOnlyList<ConversationEvent>> GetHistoryAsync(string conversationId, CancellationToken cancellationToken = default);

    /// <summary>Forgets a conversation's history, for example when the host ends the conversation.</summary>
    /// <param name="conversationId">The conversation.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the history is gone.</returns>
    ValueTask RemoveAsync(string conversationId, CancellationToken cancellationToken = default);
}
