using ModelContextProtocol.Protocol;

namespace McpPolicy;

/// <summary>
/// The ordered chain of <see cref="IToolInvocationFilter"/>s, built once. Its innermost step invokes the tool only when
/// the call carries a decision that clears it; a call that reaches the tool without one is denied (fail closed).
/// </summary>
public sealed class ToolInvocationPipeline
{
    private readonly ToolInvocationDelegate _entry;

    /// <summary>Builds the pipeline. Filters run by ascending <see cref="IToolInvocationFilter.Order"/>, then registration order.</summary>
    /// <param name="filters">The filters.</param>
    public ToolInvocationPipeline(IEnumerable<IToolInvocationFilter> filters)
    {
        ArgumentNullException.ThrowIfNull(filters);
        var ordered = filters.Select((f, i) => (Filter: f, Index: i))
            .OrderBy(x => x.Filter.Order)
            .ThenBy(x => x.Index)
            .Select(x => x.Filter)
            .ToArray();
        Filters = ordered;
        PostProcessesResults = ordered.Any(f => f.PostProcessesResults);

        ToolInvocationDelegate next = InvokeToolAsync;
        for (var i = ordered.Length - 1; i >= 0; i--)
        {
            var filter = ordered[i];
            var inner = next;
            next = (ctx, ct) => filter.InvokeAsync(ctx, inner, ct);
        }

        _entry = next;
    }

    /// <summary>The filters in the order they run.</summary>
    public IReadOnlyList<IToolInvocationFilter> Filters { get; }

    /// <summary>
    /// True when at least one filter post-processes results (<see cref="IToolInvocationFilter.PostProcessesResults"/>). When false,
    /// an integration may hand the tool's result to the caller without decoding it.
    /// </summary>
    public bool PostProcessesResults { get; }

    /// <summary>Runs one call through the pipeline and returns its result (the tool's, or a denial).</summary>
    /// <param name="context">The call; <see cref="ToolInvocationContext.Invoker"/> performs the real call.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The result the caller should see.</returns>
    public ValueTask<CallToolResult> InvokeAsync(ToolInvocationContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var pending = RunAsync(context, cancellationToken);

        // A call that finished synchronously (a denial, or a tool that answered at once) needs no state machine.
        if (pending.IsCompletedSuccessfully)
        {
            pending.GetAwaiter().GetResult();
            return new ValueTask<CallToolResult>(Outcome(context));
        }

        return AwaitAsync(pending, context, cancellationToken);
    }

    /// <summary>
    /// Runs the filters without judging failures: the caller awaits it, fails the call (<see cref="Fail"/>) on what
    /// <see cref="IsFilterFailure"/> accepts, and reads <see cref="Outcome"/>. <see cref="InvokeAsync"/> in one state machine less, for an integration that has one of its own.
    /// </summary>
    internal ValueTask RunAsync(ToolInvocationContext context, CancellationToken cancellationToken)
    {
        try
        {
            return _entry(context, cancellationToken);
        }
#pragma warning disable CA1031 // Judged by IsFilterFailure, as the awaited path judges it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return ValueTask.FromException(ex);
        }
    }

    /// <summary>
    /// True for a failure of the filters, which <see cref="Fail"/> turns into a denial; false for what the caller must see instead:
    /// a cancellation of the call itself, or a <see cref="McpPolicyToolException"/> (a protocol error).
    /// </summary>
    internal static bool IsFilterFailure(Exception exception, CancellationToken cancellationToken)
        => exception is not McpPolicyToolException && !(exception is OperationCanceledException && cancellationToken.IsCancellationRequested);

    /// <summary>Fails the call closed, with a non-leaking message.</summary>
    internal static void Fail(ToolInvocationContext context)
    {
        // If the tool already ran, its result is withheld, since a failed post-processing step (sanitizing, inspecting) must not hand
        // back an unchecked result.
        context.Result = context.ToolInvoked
            ? Denials.Create("policy-error", "the policy pipeline failed after the tool ran, so its result is withheld")
            : Denials.Create("policy-error", "the policy pipeline failed while checking this call, so it was not run");
    }

    /// <summary>The result of a call the filters are done with: the tool's, a denial, or (when none was set) a denial saying so.</summary>
    internal static CallToolResult Outcome(ToolInvocationContext context)
        => context.Result ?? Denials.Create("policy-error", "the policy pipeline produced no result for this call, so it was not run");

    private static async ValueTask<CallToolResult> AwaitAsync(ValueTask pending, ToolInvocationContext context, CancellationToken cancellationToken)
    {
        try
        {
            await pending.ConfigureAwait(false);
        }
        catch (Exception ex) when (IsFilterFailure(ex, cancellationToken))
        {
            Fail(context);
        }

        return Outcome(context);
    }

    private static ValueTask InvokeToolAsync(ToolInvocationContext context, CancellationToken cancellationToken)
    {
        if (context.Result is not null)
        {
            return ValueTask.CompletedTask;
        }

        if (!context.IsCleared)
        {
            context.Result = context.Decision is null
                ? Denials.Create("policy-not-evaluated", "no policy decision was made for this call, so it was not run")
                : Denials.For(context.Decision);
            return ValueTask.CompletedTask;
        }

        if (context.Invoker is null)
        {
            context.Result = Denials.Create("policy-error", "no tool invoker is configured for this call");
            return ValueTask.CompletedTask;
        }

        context.ToolInvoked = true;
        ValueTask<CallToolResult> invocation;
        try
        {
            if (context.DirectInvoker is { } direct && ReferenceEquals(context.Invoker, context.DirectInvokerReplaces))
            {
                return direct(context, cancellationToken);
            }

            invocation = context.Invoker(context, cancellationToken);
        }
#pragma warning disable CA1031 // Passed on as the failed invocation it is, as an async method would.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return ValueTask.FromException(ex);
        }

        if (invocation.IsCompletedSuccessfully)
        {
            context.Result = invocation.Result;
            return ValueTask.CompletedTask;
        }

        return StoreResultAsync(context, invocation);
    }

    private static async ValueTask StoreResultAsync(ToolInvocationContext context, ValueTask<CallToolResult> invocation)
        => context.Result = await invocation.ConfigureAwait(false);
}
