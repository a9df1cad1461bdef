using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpPolicy.Server;

/// <summary>
/// Adds the McpPolicy request filters to an MCP server: the call filter (runs every <c>tools/call</c> through the
/// <see cref="ToolInvocationPipeline"/>), the list filter (hides tools whose listing risk is BLOCK or that an <see cref="IToolListingFilter"/>
/// does not let through), and, after all other
/// configuration, an innermost guard that refuses any call the policy filter did not clear.
/// </summary>
internal sealed partial class PolicyServerFilters : IConfigureOptions<McpServerOptions>, IPostConfigureOptions<McpServerOptions>
{
    /// <summary>The <c>RequestContext.Items</c> key under which the call filter leaves its <see cref="ServerCallState"/> for the guard.</summary>
    internal const string CallStateKey = "io.mcppolicy/server-call";

    private static readonly Func<ToolInvocationContext, CancellationToken, ValueTask<CallToolResult>> Invoker = InvokeToolAsync;

    private readonly ToolInvocationPipeline _pipeline;
    private readonly IPolicyEvaluator _evaluator;
    private readonly IOptions<McpPolicyServerOptions> _options;
    private readonly IToolListingFilter[] _listingFilters;
    private readonly ILogger _logger;

    public PolicyServerFilters(
        ToolInvocationPipeline pipeline,
        IPolicyEvaluator evaluator,
        IOptions<McpPolicyServerOptions> options,
        IEnumerable<IToolListingFilter>? listingFilters = null,
        ILogger<PolicyServerFilters>? logger = null)
    {
        _pipeline = pipeline;
        _evaluator = evaluator;
        _options = options;
        _listingFilters = listingFilters?.ToArray() ?? [];
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    public void Configure(McpServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = _options.Value;
        options.Filters.Request.CallToolFilters.Add(next => (request, cancellationToken) => InvokeAsync(settings, request, next, cancellationToken));
        options.Filters.Request.ListToolsFilters.Add(next => (request, cancellationToken) => ListAsync(settings.ServerId, request, next, cancellationToken));
    }

    public void PostConfigure(string? name, McpServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);

        // Added after every Configure step, so it is the innermost call filter, next to the tool.
        options.Filters.Request.CallToolFilters.Add(next => (request, cancellationToken) => Guard(request, next, cancellationToken));
    }

    private async ValueTask<CallToolResult> InvokeAsync(
        McpPolicyServerOptions settings,
        RequestContext<CallToolRequestParams> request,
        McpRequestHandler<CallToolRequestParams, CallToolResult> next,
        CancellationToken cancellationToken)
    {
        if (request.MatchedPrimitive is not McpServerTool tool)
        {
            // Never run: an unknown tool is a malformed request, answered with a JSON-RPC error.
            LogUnknownTool(_logger, settings.ServerId, request.Params?.Name);
            throw new McpProtocolException($"Unknown tool: '{request.Params?.Name}'", McpErrorCode.InvalidParams);
        }

        var descriptor = ToolPolicyMetadata.GetDescriptor(tool);
        var state = new ServerCallState(request, next, tool);
        var invocation = new ToolInvocationContext(settings.ServerId, descriptor.Name, ToolArguments.FromDictionary(request.Params?.Arguments), descriptor)
        {
            Principal = request.User,
            ConversationId = settings.ConversationIdResolver(request),
            RequestIdSource = request.JsonRpcRequest.Id,
            Services = request.Services,
            Invoker = Invoker,
            InvokerState = state,
        };
        invocation.SeedServerItems(request);
        request.Items[CallStateKey] = state;

        CallToolResult result;
        try
        {
            result = await _pipeline.InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
        }
        catch (McpPolicyToolException ex)
        {
            throw new McpProtocolException(ex.Message, ex, McpErrorCode.InvalidParams);
        }
        finally
        {
            request.Items.Remove(CallStateKey);
        }

        // The tool (or a filter below the guard) threw: rethrow it so the SDK answers exactly as it would without the
        // policy (a generic "An error occurred invoking" result, a JSON-RPC error, or an MRTR input request).
        state.Failure?.Throw();
        return result;
    }

    private static async ValueTask<CallToolResult> InvokeToolAsync(ToolInvocationContext invocation, CancellationToken cancellationToken)
    {
        var state = (ServerCallState)invocation.InvokerState!;
        state.Clear();
        try
        {
            return await state.Next(state.Request, cancellationToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Captured and rethrown after the pipeline, so the policy never reports a tool failure as its own.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            state.Failure = ExceptionDispatchInfo.Capture(ex);
            return new CallToolResult
            {
                IsError = true,
                Content = [new TextContentBlock { Text = $"An error occurred invoking '{invocation.ToolName}'." }],
            };
        }
    }

    private ValueTask<CallToolResult> Guard(
        RequestContext<CallToolRequestParams> request,
        McpRequestHandler<CallToolRequestParams, CallToolResult> next,
        CancellationToken cancellationToken)
    {
        if (request.Items.TryGetValue(CallStateKey, out var value) && value is ServerCallState state && state.TryConsume(request.MatchedPrimitive))
        {
            return next(request, cancellationToken);
        }

        LogNotEvaluated(_logger, request.Params?.Name);
        return ValueTask.FromResult(Denials.Create("policy-not-evaluated", "no policy decision was made for this call, so it was not run"));
    }

    private async ValueTask<ListToolsResult> ListAsync(
        string serverId,
        RequestContext<ListToolsRequestParams> request,
        McpRequestHandler<ListToolsRequestParams, ListToolsResult> next,
        CancellationToken cancellationToken)
    {
        var result = await next(request, cancellationToken).ConfigureAwait(false);
        var tools = result.Tools;
        var collection = request.Server.ServerOptions.ToolCollection;
        List<Tool>? kept = null;
        for (var i = 0; i < tools.Count; i++)
        {
            var listed = tools[i];
            var descriptor = collection is not null && collection.TryGetPrimitive(listed.Name, out var primitive)
                ? ToolPolicyMetadata.GetDescriptor(primitive)
                : ToolDescriptor.FromProtocol(listed);
            if (_evaluator.GetListingRisk(serverId, descriptor) == RiskLevel.Block || !IsListable(serverId, descriptor))
            {
                LogHidden(_logger, serverId, listed.Name);
                if (kept is null)
                {
                    // Copy rather than remove in place: the list may belong to a handler that reuses it.
                    kept = new List<Tool>(tools.Count);
                    for (var j = 0; j < i; j++)
                    {
                        kept.Add(tools[j]);
                    }
                }
            }
            else
            {
                kept?.Add(listed);
            }
        }

        if (kept is not null)
        {
            result.Tools = kept;
        }

        return result;
    }

    /// <summary>Asks every registered <see cref="IToolListingFilter"/> whether the client may see the tool; a filter that throws hides it.</summary>
    private bool IsListable(string serverId, ToolDescriptor descriptor)
    {
        foreach (var filter in _listingFilters)
        {
            try
            {
                if (!filter.IsListable(serverId, descriptor))
                {
                    return false;
                }
            }
#pragma warning disable CA1031 // Fail closed: a tool the filter could not judge is hidden.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogListingFilterFailed(_logger, serverId, descriptor.Name, filter.GetType().Name, ex);
                return false;
            }
        }

        return true;
    }

    [LoggerMessage(EventId = 101, Level = LogLevel.Debug, Message = "Refused tools/call for unknown tool {Tool} on server {ServerId}.")]
    private static partial void LogUnknownTool(ILogger logger, string serverId, string? tool);

    [LoggerMessage(EventId = 102, Level = LogLevel.Debug, Message = "Hid tool {Tool} of server {ServerId} from tools/list: its listing risk is Block or a tool listing filter hides it.")]
    private static partial void LogHidden(ILogger logger, string serverId, string tool);

    [LoggerMessage(EventId = 103, Level = LogLevel.Error, Message = "A tools/call for {Tool} reached the tool without a policy decision and was refused. Check that no filter replaces the matched tool or bypasses the McpPolicy filter.")]
    private static partial void LogNotEvaluated(ILogger logger, string? tool);

    [LoggerMessage(EventId = 104, Level = LogLevel.Error, Message = "Tool listing filter {Filter} failed for tool {Tool} of server {ServerId}; the tool is hidden from tools/list.")]
    private static partial void LogListingFilterFailed(ILogger logger, string serverId, string tool, string filter, Exception exception);
}
