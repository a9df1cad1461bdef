namespace McpPolicy.Chains;

/// <summary>
/// Records every call in its conversation's history after the rest of the pipeline has run, whatever the outcome
/// (allowed, denied, failed), so later rules see attempts as well as completed calls.
/// </summary>
/// <remarks>
/// It runs just inside <see cref="ToolInvocationFilterOrder.Record"/>. The conversation is
/// <see cref="ToolInvocationContext.ConversationId"/>, else the caller's principal and client, else <see cref="DefaultConversationId"/>
/// (see <see cref="ConversationIdentity.Resolve"/>).
/// </remarks>
public sealed class ConversationHistoryFilter : IToolInvocationFilter
{
    /// <summary>The conversation calls without a <see cref="ToolInvocationContext.ConversationId"/> are recorded in.</summary>
    public const string DefaultConversationId = ConversationIdentity.Default;

    private readonly IConversationStore _store;
    private readonly TimeProvider _time;

    /// <summary>Creates the filter.</summary>
    /// <param name="store">Where history is kept.</param>
    /// <param name="timeProvider">The clock event timestamps come from.</param>
    public ConversationHistoryFilter(IConversationStore store, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _store = store;
        _time = timeProvider;
    }

    /// <inheritdoc />
    public int Order => ToolInvocationFilterOrder.Record + 1;

    /// <summary>The conversation a call's history belongs to.</summary>
    /// <param name="context">The call.</param>
    /// <returns>The conversation id.</returns>
    public static string ConversationIdOf(ToolInvocationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return ConversationIdentity.Resolve(context);
    }

    /// <inheritdoc />
    public async ValueTask InvokeAsync(ToolInvocationContext context, ToolInvocationDelegate next, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        try
        {
            await next(context, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // No decision means the pipeline failed closed; record it as the block it was.
            var risk = context.Decision?.Risk ?? RiskLevel.Block;
            var recorded = new ConversationEvent(context.QualifiedName, risk, _time.GetUtcNow());

            // Not the call's token: a call cancelled after the tool ran must still leave its trace.
            await _store.AppendAsync(ConversationIdOf(context), recorded, CancellationToken.None).ConfigureAwait(false);
        }
    }
}
