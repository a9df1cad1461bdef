using System.Collections.Concurrent;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Core.Tests.Client;

/// <summary>Records every call context the pipeline sees (at the Identify step).</summary>
internal sealed class RecordingFilter : IToolInvocationFilter
{
    public ConcurrentQueue<ToolInvocationContext> Calls { get; } = new();

    public int Order => ToolInvocationFilterOrder.Identify;

    public bool PostProcessesResults => false;

    public ValueTask InvokeAsync(ToolInvocationContext context, ToolInvocationDelegate next, CancellationToken cancellationToken)
    {
        Calls.Enqueue(context);
        return next(context, cancellationToken);
    }
}

/// <summary>Replaces (or edits in place) the result of successful echo calls, after the tool ran.</summary>
internal sealed class RedactingFilter(bool inPlace) : IToolInvocationFilter
{
    public int Order => ToolInvocationFilterOrder.Inspect;

    public async ValueTask InvokeAsync(ToolInvocationContext context, ToolInvocationDelegate next, CancellationToken cancellationToken)
    {
        await next(context, cancellationToken);
        if (context.ToolName != "echo" || context.Result is not { IsError: not true } result)
        {
            return;
        }

        if (inPlace)
        {
            result.Content.Clear();
            result.Content.Add(new TextContentBlock { Text = "[redacted in place]" });
        }
        else
        {
            context.Result = new CallToolResult { Content = [new TextContentBlock { Text = "[redacted]" }] };
        }
    }
}

/// <summary>Holds every call before the policy decides it until the call is cancelled (a stand-in for a slow approval).</summary>
internal sealed class StallingFilter : IToolInvocationFilter
{
    public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Order => ToolInvocationFilterOrder.Identify;

    public async ValueTask InvokeAsync(ToolInvocationContext context, ToolInvocationDelegate next, CancellationToken cancellationToken)
    {
        Entered.TrySetResult();
        await Task.Delay(Timeout.Infinite, cancellationToken);
        await next(context, cancellationToken);
    }
}
