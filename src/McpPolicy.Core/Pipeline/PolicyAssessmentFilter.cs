namespace McpPolicy;

/// <summary>Pipeline step <see cref="ToolInvocationFilterOrder.Assess"/>: evaluates the compiled policy and stops BLOCK calls at once.</summary>
public sealed class PolicyAssessmentFilter : IToolInvocationFilter
{
    private readonly IPolicyEvaluator _evaluator;

    /// <summary>Creates the filter.</summary>
    /// <param name="evaluator">The policy evaluator.</param>
    public PolicyAssessmentFilter(IPolicyEvaluator evaluator)
    {
        ArgumentNullException.ThrowIfNull(evaluator);
        _evaluator = evaluator;
    }

    /// <inheritdoc />
    public int Order => ToolInvocationFilterOrder.Assess;

    /// <inheritdoc />
    /// <remarks>False: the filter decides before the tool runs and never looks at its result.</remarks>
    public bool PostProcessesResults => false;

    /// <inheritdoc />
    public ValueTask InvokeAsync(ToolInvocationContext context, ToolInvocationDelegate next, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var decision = _evaluator.Evaluate(context);
        context.Decision = decision;
        if (decision.Outcome == PolicyOutcome.Deny)
        {
            context.Result = Denials.For(decision);
            return ValueTask.CompletedTask;
        }

        return next(context, cancellationToken);
    }
}
