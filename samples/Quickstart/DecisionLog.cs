using McpPolicy;

namespace Quickstart;

/// <summary>A filter at the outermost step that remembers each call's decision and outcome, so the demo can print them.</summary>
internal sealed class DecisionLog : IToolInvocationFilter
{
    private readonly List<ToolInvocationContext> _calls = [];

    public int Order => ToolInvocationFilterOrder.Record;

    public ToolInvocationContext? Last
    {
        get
        {
            lock (_calls)
            {
                return _calls.Count == 0 ? null : _calls[^1];
            }
        }
    }

    public async ValueTask InvokeAsync(ToolInvocationContext context, ToolInvocationDelegate next, CancellationToken cancellationToken)
    {
        await next(context, cancellationToken);
        lock (_calls)
        {
            _calls.Add(context);
        }
    }
}
