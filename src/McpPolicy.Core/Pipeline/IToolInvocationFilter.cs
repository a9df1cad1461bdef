namespace McpPolicy;

/// <summary>
/// One step of the tool-call pipeline. A filter may inspect the call, short-circuit it by setting
/// <see cref="ToolInvocationContext.Result"/> and not calling <c>next</c>, or post-process the result after <c>next</c> returns.
/// </summary>
public interface IToolInvocationFilter
{
    /// <summary>Where the filter runs: lower values run first (outermost). See <see cref="ToolInvocationFilterOrder"/> for the built-in steps.</summary>
    int Order { get; }

    /// <summary>Runs the filter.</summary>
    /// <param name="context">The call.</param>
    /// <param name="next">The rest of the pipeline.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the filter is done.</returns>
    ValueTask InvokeAsync(ToolInvocationContext context, ToolInvocationDelegate next, CancellationToken cancellationToken);
}
