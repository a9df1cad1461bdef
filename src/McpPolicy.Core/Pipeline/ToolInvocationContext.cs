using System.Security.Claims;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpPolicy;

/// <summary>
/// Everything the policy pipeline knows about one tool call: who is calling which server's tool with what arguments,
/// in which conversation; the decision once made; and the result after the tool ran.
/// </summary>
public sealed class ToolInvocationContext
{
    private string? _qualifiedName;
    // The Items dictionary once read; before that, null or the server request whose entries it starts with (one field, so a context
    // is no bigger for the host gate, which never seeds it).
    private object? _items;
    private string? _requestId;
    private RequestId _requestIdSource;

    /// <summary>Creates a context for one call.</summary>
    /// <param name="serverId">The host-configured server id (never the name the server reports about itself). Must not contain '/'.</param>
    /// <param name="toolName">The tool's name as requested.</param>
    /// <param name="arguments">The call's arguments (null means none).</param>
    /// <param name="tool">The tool's definition when known; null means the tool is unknown to the gate.</param>
    public ToolInvocationContext(string serverId, string toolName, ToolArguments? arguments = null, ToolDescriptor? tool = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(serverId);
        ArgumentNullException.ThrowIfNull(toolName);
        if (serverId.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException("A server id must not contain '/'.", nameof(serverId));
        }

        ServerId = serverId;
        ToolName = toolName;
        Arguments = arguments ?? ToolArguments.Empty;
        Tool = tool;
    }

    /// <summary>The host-configured server id.</summary>
    public string ServerId { get; }

    /// <summary>The tool's name as requested (not server-qualified).</summary>
    public string ToolName { get; }

    /// <summary>The server-qualified identity <c>serverId/toolName</c> that policy patterns match.</summary>
    public string QualifiedName => _qualifiedName ??= string.Concat(ServerId, "/", ToolName);

    /// <summary>The tool's definition when the gate knows it; null for a tool never listed by the server.</summary>
    public ToolDescriptor? Tool { get; init; }

    /// <summary>The call's arguments.</summary>
    public ToolArguments Arguments { get; }

    /// <summary>The authenticated caller, when the transport or host provides one.</summary>
    public ClaimsPrincipal? Principal { get; init; }

    /// <summary>The conversation this call belongs to, as the host scoped it.</summary>
    public string? ConversationId { get; init; }

    /// <summary>The JSON-RPC request id, as text.</summary>
    public string? RequestId
    {
        get => _requestId ??= _requestIdSource.Id is null ? null : _requestIdSource.ToString();
        init => _requestId = value;
    }

    /// <summary>The JSON-RPC request id, written as text only when something reads <see cref="RequestId"/> (most calls never do).</summary>
    internal RequestId RequestIdSource
    {
        init => _requestIdSource = value;
    }

    /// <summary>The request services of the current call, when the integration provides them.</summary>
    public IServiceProvider? Services { get; init; }

    /// <summary>A bag for filters to share per-call state.</summary>
    public IDictionary<object, object?> Items => _items as Dictionary<object, object?> ?? CreateItems();

    /// <summary>The policy decision, set by the policy filter. A call with no decision never reaches the tool.</summary>
    public PolicyDecision? Decision { get; set; }

    /// <summary>The approval that lets a <see cref="RiskLevel.High"/> call proceed, when one was granted.</summary>
    public ApprovalGrant? Approval { get; set; }

    /// <summary>The tool's result after invocation, or the denial a filter produced instead.</summary>
    public CallToolResult? Result { get; set; }

    /// <summary>The function that performs the real call; set by the MCP integration for each call.</summary>
    public Func<ToolInvocationContext, CancellationToken, ValueTask<CallToolResult>>? Invoker { get; set; }

    /// <summary>An opaque state object for <see cref="Invoker"/>, so integrations need not allocate a closure per call.</summary>
    public object? InvokerState { get; set; }

    /// <summary>
    /// An integration's own way to perform the call, which stores the outcome in <see cref="Result"/> itself (no state machine per call).
    /// Used instead of <see cref="Invoker"/> only while <see cref="Invoker"/> is still <see cref="DirectInvokerReplaces"/>: a filter
    /// that swaps the invoker gets its own invoker called.
    /// </summary>
    internal Func<ToolInvocationContext, CancellationToken, ValueTask>? DirectInvoker { get; set; }

    /// <summary>The <see cref="Invoker"/> that <see cref="DirectInvoker"/> stands in for.</summary>
    internal object? DirectInvokerReplaces { get; set; }

    /// <summary>True once the pipeline has handed the call to <see cref="Invoker"/>.</summary>
    public bool ToolInvoked { get; internal set; }

    /// <summary>
    /// The server request a call came in with (<c>WithPolicy</c>): <see cref="Items"/> holds it and its <see cref="McpServer"/> from the start,
    /// added when <see cref="Items"/> is first read, so a call whose filters never look does not pay for them. Set before any filter runs.
    /// </summary>
    internal void SeedServerItems(RequestContext<CallToolRequestParams> request) => _items ??= request;

    /// <summary>True when the decision lets the call proceed now: allowed, or HIGH with an approval.</summary>
    public bool IsCleared => Decision is { } d && (d.IsAllowed || (d.Outcome == PolicyOutcome.RequiresApproval && Approval is { IsApproved: true }));

    private Dictionary<object, object?> CreateItems()
    {
        var items = new Dictionary<object, object?>();
        if (_items is RequestContext<CallToolRequestParams> request)
        {
            items[typeof(McpServer)] = request.Server;
            items[typeof(RequestContext<CallToolRequestParams>)] = request;
        }

        _items = items;
        return items;
    }
}
