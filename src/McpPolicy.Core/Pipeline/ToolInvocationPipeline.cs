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

    /// <summary>Runs one call through the pipeline and returns its result (the tool's, or a denial).</summary>
    /// <param name="context">The call; <see cref="ToolInvocationContext.Invoker"/> performs the real call.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The result the caller should see.</returns>
    public async ValueTask<CallToolResult> InvokeAsync(ToolInvocationContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            await _entry(context, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is not McpPolicyToolException)
        {
            // A filter failed: fail closed with a non-leaking message. If the tool already ran, its result is withheld,
            // since a failed post-processing step (sanitizing, inspecting) must not hand back an unchecked result.
            context.Result = context.ToolInvoked
                ? Denials.Create("policy-error", "the policy pipeline failed after the tool ran, so its result is withheld")
                : Denials.Create("policy-error", "the policy pipeline failed while checking this call, so it was not run");
        }

        return context.Result ?? Denials.Create("policy-error", "the policy pipeline produced no result for this call, so it was not run");
    }

    private static async ValueTask InvokeToolAsync(ToolInvocationContext context, CancellationToken cancellationToken)
    {
        if (context.Result is not null)
        {
            return;
        }

        if (!context.IsCleared)
        {
            context.Result = context.Decision is null
                ? Denials.Create("policy-not-evaluated", "no policy decision was made for this call, so it was not run")
                : Denials.For(context.Decision);
            return;
        }

        if (context.Invoker is null)
        {
            context.Result = Denials.Create("policy-error", "no tool invoker is configured for this call");
            return;
        }

        context.ToolInvoked = true;
        context.Result = await context.Invoker(context, cancellationToken).ConfigureAwait(false);
    }
}
