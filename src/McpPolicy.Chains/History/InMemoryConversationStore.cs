using System.Collections.Concurrent;

namespace McpPolicy.Chains;

/// <summary>
/// The default <see cref="IConversationStore"/>: each conversation's most recent calls in process memory, bounded per
/// conversation and forgotten after a period without calls. Thread-safe; state is lost when the process ends.
/// </summary>
/// <remarks>
/// A conversation idle for <see cref="ConversationHistoryOptions.IdleTimeout"/> reads as empty at once; its memory is
/// reclaimed by a sweep that appends run at most once per idle timeout, so no timer is needed.
/// </remarks>
public sealed class InMemoryConversationStore : IConversationStore
{
    private readonly ConcurrentDictionary<string, Conversation> _conversations = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly int _maxEvents;
    private readonly TimeSpan _idleTimeout;
    private readonly int _maxTaintedCharacters;
    private long _lastSweep;

    /// <summary>Creates a store.</summary>
    /// <param name="options">The limits; they are copied, so later changes have no effect.</param>
    /// <param name="timeProvider">The clock idle time is measured with; <see cref="TimeProvider.System"/> when null.</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public InMemoryConversationStore(ConversationHistoryOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors), nameof(options));
        }

        _time = timeProvider ?? TimeProvider.System;
        _maxEvents = options.MaxEventsPerConversation;
        _idleTimeout = options.IdleTimeout;
        _maxTaintedCharacters = options.MaxTaintedCharactersPerConversation;
        _lastSweep = _time.GetTimestamp();
    }

    /// <summary>The number of conversations held in memory, including idle ones not yet swept.</summary>
    internal int ConversationCount => _conversations.Count;

    /// <inheritdoc />
    public ValueTask AppendAsync(string conversationId, ConversationEvent conversationEvent, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(conversationId);
        ArgumentNullException.ThrowIfNull(conversationEvent.QualifiedName, nameof(conversationEvent));
        cancellationToken.ThrowIfCancellationRequested();

        var now = _time.GetTimestamp();
        while (true)
        {
            var conversation = _conversations.GetOrAdd(conversationId, static _ => new Conversation());
            lock (conversation.Gate)
            {
                // A sweep or a removal took this instance out of the map after we looked it up: use the new one.
                if (conversation.Removed)
                {
                    continue;
                }

                ForgetIfIdle(conversation, now);
                if (conversation.Events.Count == _maxEvents)
                {
                    conversation.Events.Dequeue();
                }

                conversation.Events.Enqueue(conversationEvent);
                conversation.LastActivity = now;
            }

            break;
        }

        SweepIfDue(now);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<ConversationEvent>> GetHistoryAsync(string conversationId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(conversationId);
        cancellationToken.ThrowIfCancellationRequested();

        if (!_conversations.TryGetValue(conversationId, out var conversation))
        {
            return new ValueTask<IReadOnlyList<ConversationEvent>>(Array.Empty<ConversationEvent>());
        }

        var now = _time.GetTimestamp();
        lock (conversation.Gate)
        {
            IReadOnlyList<ConversationEvent> history = conversation.Removed || conversation.Events.Count == 0 || IsIdle(conversation, now)
                ? Array.Empty<ConversationEvent>()
                : conversation.Events.ToArray();
            return new ValueTask<IReadOnlyList<ConversationEvent>>(history);
        }
    }

    /// <inheritdoc />
    public ValueTask RemoveAsync(string conversationId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(conversationId);
        cancellationToken.ThrowIfCancellationRequested();

        if (_conversations.TryGetValue(conversationId, out var conversation))
        {
            lock (conversation.Gate)
            {
                Evict(conversationId, conversation);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<TResult> ReadFlowAsync<TArgument, TResult>(string conversationId, TArgument argument, Func<ConversationFlowState?, TArgument, TResult> read, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(conversationId);
        ArgumentNullException.ThrowIfNull(read);
        cancellationToken.ThrowIfCancellationRequested();

        if (!_conversations.TryGetValue(conversationId, out var conversation))
        {
            return new ValueTask<TResult>(read(null, argument));
        }

        var now = _time.GetTimestamp();
        lock (conversation.Gate)
        {
            var state = conversation.Removed || IsIdle(conversation, now) ? null : conversation.Flow;
            return new ValueTask<TResult>(read(state, argument));
        }
    }

    /// <inheritdoc />
    public ValueTask<TResult> UpdateFlowAsync<TArgument, TResult>(string conversationId, TArgument argument, Func<ConversationFlowState, TArgument, TResult> update, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(conversationId);
        ArgumentNullException.ThrowIfNull(update);
        cancellationToken.ThrowIfCancellationRequested();

        var now = _time.GetTimestamp();
        TResult result;
        while (true)
        {
            var conversation = _conversations.GetOrAdd(conversationId, static _ => new Conversation());
            lock (conversation.Gate)
            {
                if (conversation.Removed)
                {
                    continue;
                }

                ForgetIfIdle(conversation, now);
                conversation.Flow ??= new ConversationFlowState(_maxTaintedCharacters);
                result = update(conversation.Flow, argument);
                conversation.LastActivity = now;
            }

            break;
        }

        SweepIfDue(now);
        return new ValueTask<TResult>(result);
    }

    /// <summary>The flow state of a conversation as held now, for tests; null when there is none.</summary>
    internal ConversationFlowState? PeekFlow(string conversationId)
        => _conversations.TryGetValue(conversationId, out var conversation) ? conversation.Flow : null;

    /// <summary>Drops every conversation that has been idle for the idle timeout.</summary>
    internal void SweepIdle(long now)
    {
        foreach (var pair in _conversations)
        {
            var conversation = pair.Value;
            lock (conversation.Gate)
            {
                if (!conversation.Removed && IsIdle(conversation, now))
                {
                    Evict(pair.Key, conversation);
                }
            }
        }
    }

    private void SweepIfDue(long now)
    {
        var last = Interlocked.Read(ref _lastSweep);
        if (_time.GetElapsedTime(last, now) < _idleTimeout)
        {
            return;
        }

        // One caller wins the right to sweep; the others carry on.
        if (Interlocked.CompareExchange(ref _lastSweep, now, last) == last)
        {
            SweepIdle(now);
        }
    }

    // Called with the conversation's lock held: an idle conversation starts over.
    private void ForgetIfIdle(Conversation conversation, long now)
    {
        if ((conversation.Events.Count > 0 || conversation.Flow is not null) && IsIdle(conversation, now))
        {
            conversation.Events.Clear();
            conversation.Flow = null;
        }
    }

    private bool IsIdle(Conversation conversation, long now) => _time.GetElapsedTime(conversation.LastActivity, now) >= _idleTimeout;

    // Called with the conversation's lock held, so no append can slip in between marking and removing.
    private void Evict(string conversationId, Conversation conversation)
    {
        conversation.Removed = true;
        conversation.Events.Clear();
        conversation.Flow = null;
        _conversations.TryRemove(new KeyValuePair<string, Conversation>(conversationId, conversation));
    }

    private sealed class Conversation
    {
        public Lock Gate { get; } = new();

        public Queue<ConversationEvent> Events { get; } = new();

        public ConversationFlowState? Flow { get; set; }

        public long LastActivity { get; set; }

        public bool Removed { get; set; }
    }
}
