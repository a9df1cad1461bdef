using System.Runtime.ExceptionServices;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpPolicy.Server;

/// <summary>
/// Per-call state shared by the policy filter, the pipeline's invoker and the innermost guard: the SDK's continuation, the
/// tool the decision was made for, a single-use clearance, and an exception the tool threw.
/// </summary>
internal sealed class ServerCallState
{
    private int _cleared;

    public ServerCallState(RequestContext<CallToolRequestParams> request, McpRequestHandler<CallToolRequestParams, CallToolResult> next, McpServerTool tool)
    {
        Request = request;
        Next = next;
        Tool = tool;
    }

    public RequestContext<CallToolRequestParams> Request { get; }

    public McpRequestHandler<CallToolRequestParams, CallToolResult> Next { get; }

    /// <summary>The tool the policy decided about.</summary>
    public McpServerTool Tool { get; }

    /// <summary>An exception thrown below the pipeline (by the tool or a filter after the guard), rethrown once the pipeline is done.</summary>
    public ExceptionDispatchInfo? Failure { get; set; }

    /// <summary>Set by the invoker when the pipeline cleared the call.</summary>
    public void Clear() => Volatile.Write(ref _cleared, 1);

    /// <summary>Takes the clearance for <paramref name="primitive"/>: true once, and only for the tool the decision was made for.</summary>
    public bool TryConsume(IMcpServerPrimitive? primitive)
        => ReferenceEquals(primitive, Tool) && Interlocked.Exchange(ref _cleared, 0) == 1;
}
