namespace McpPolicy.Chains;

/// <summary>
/// Holds the recent tool-call history and the flow state of each conversation, for rules that look at what came before
/// a call. Implementations must be thread-safe; a host running several instances plugs in a shared store.
/// </summary>
/// <remarks>
/// A shared store keeps each conversation's <see cref="ConversationFlowState"/> under the conversation's key and runs
/// <see cref="ReadFlowAsync"/> and <see cref="UpdateFlowAsync"/> so that no update is lost between concurrent calls (a lock
/// per conversation, or an optimistic read-modify-write that retries). Any exception makes the calls concerned BLOCK.
/// </remarks>
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

    /// <summary>
    /// Runs <paramref name="read"/> on a conversation's flow state, with no update of that conversation running at the
    /// same time. The state passed is null for an unknown or expired conversation. <paramref name="read"/> must not change it.
    /// </summary>
    /// <typeparam name="TArgument">What <paramref name="read"/> needs besides the state (passed through so no closure is needed).</typeparam>
    /// <typeparam name="TResult">What <paramref name="read"/> returns.</typeparam>
    /// <param name="conversationId">The conversation.</param>
    /// <param name="argument">Passed to <paramref name="read"/>.</param>
    /// <param name="read">Reads the state; it is short and does no I/O.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>What <paramref name="read"/> returned.</returns>
    ValueTask<TResult> ReadFlowAsync<TArgument, TResult>(string conversationId, TArgument argument, Func<ConversationFlowState?, TArgument, TResult> read, CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs <paramref name="update"/> on a conversation's flow state, creating the state of a new or expired conversation,
    /// with no other read or update of that conversation running at the same time; the conversation counts as active.
    /// </summary>
    /// <typeparam name="TArgument">What <paramref name="update"/> needs besides the state.</typeparam>
    /// <typeparam name="TResult">What <paramref name="update"/> returns.</typeparam>
    /// <param name="conversationId">The conversation.</param>
    /// <param name="argument">Passed to <paramref name="update"/>.</param>
    /// <param name="update">Changes the state; it is short and does no I/O.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>What <paramref name="update"/> returned.</returns>
    ValueTask<TResult> UpdateFlowAsync<TArgument, TResult>(string conversationId, TArgument argument, Func<ConversationFlowState, TArgument, TResult> update, CancellationToken cancellationToken = default);
}
