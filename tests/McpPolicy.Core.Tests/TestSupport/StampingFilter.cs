namespace McpPolicy.Core.Tests.TestSupport;

/// <summary>A filter that records the risk it saw in the call's items, so a tool can show that it ran.</summary>
public sealed class StampingFilter : IToolInvocationFilter
{
    public int Order => ToolInvocationFilterOrder.Flow;

    public ValueTask InvokeAsync(ToolInvocationContext context, ToolInvocationDelegate next, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        context.Items["stamp"] = context.Decision?.Risk;
        return next(context, cancellationToken);
    }
}
