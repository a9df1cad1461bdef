namespace McpPolicy;

/// <summary>
/// Pipeline step <see cref="ToolInvocationFilterOrder.Decide"/>: enforces the final decision after every raising step has run.
/// BLOCK is denied; HIGH proceeds only with an approval already attached to the call (no approval means deny).
/// </summary>
public sealed class PolicyDecisionFilter : IToolInvocationFilter
{
    /// <inheritdoc />
    public int Order => ToolInvocationFilterOrder.Decide;

    /// <inheritdoc />
    public ValueTask InvokeAsync(ToolInvocationContext context, ToolInvocationDelegate next, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (context.Decision is null)
        {
            context.Result = Denials.Create("policy-not-evaluated", "no policy decision was made for this call, so it was not run");
            return ValueTask.CompletedTask;
        }

        if (!context.IsCleared)
        {
            context.Result = Denials.For(context.Decision);
            return ValueTask.CompletedTask;
        }

        return next(context, cancellationToken);
    }
}
