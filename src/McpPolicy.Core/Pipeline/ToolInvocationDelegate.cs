namespace McpPolicy;

/// <summary>The rest of the pipeline, as seen by a filter.</summary>
/// <param name="context">The call.</param>
/// <param name="cancellationToken">Cancels the call.</param>
/// <returns>A task that completes when the rest of the pipeline has run; the outcome is in <see cref="ToolInvocationContext.Result"/>.</returns>
public delegate ValueTask ToolInvocationDelegate(ToolInvocationContext context, CancellationToken cancellationToken);
