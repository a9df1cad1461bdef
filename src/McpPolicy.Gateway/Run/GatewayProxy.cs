using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpPolicy.Gateway.Run;

/// <summary>
/// The gateway itself: an MCP server on the upstream transport whose tools, prompts and resources are those of a child MCP server reached
/// through a <see cref="PolicyClientTransport"/>, so every <c>tools/call</c> and <c>tools/list</c> passes the policy pipeline. The child's
/// change notifications are forwarded upstream; its exit ends the gateway with <see cref="GatewayExitCodes.ChildFailed"/>.
/// </summary>
internal sealed partial class GatewayProxy
{
    private const string RemotePrefix = "Request failed (remote): ";

    private static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(2);

    private static readonly string[] ForwardedNotifications =
    [
        NotificationMethods.ToolListChangedNotification,
        NotificationMethods.PromptListChangedNotification,
        NotificationMethods.ResourceListChangedNotification,
        NotificationMethods.ResourceUpdatedNotification,
#pragma warning disable MCP9005 // Children on 2025-11-25 still send log messages; forwarding them is harmless.
        NotificationMethods.LoggingMessageNotification,
#pragma warning restore MCP9005
    ];

    private readonly GatewaySettings _settings;
    private readonly IServiceProvider _services;
    private readonly ILogger _logger;
    private readonly string _label;
    private McpClient? _child;
    private McpServer? _upstream;

    private GatewayProxy(GatewaySettings settings, IServiceProvider services)
    {
        _settings = settings;
        _services = services;
        _logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("McpPolicy.Gateway");
        _label = Describe(settings);
    }

    /// <summary>
    /// Connects to the child through the policy gate, serves the upstream client until it disconnects (exit 0) or the child ends
    /// (<see cref="GatewayExitCodes.ChildFailed"/>), and disposes both.
    /// </summary>
    public static async Task<int> RunAsync(GatewaySettings settings, IServiceProvider services, IClientTransport childTransport, ITransport upstreamTransport, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(services);
        var proxy = new GatewayProxy(settings, services);
        return await proxy.RunCoreAsync(childTransport, upstreamTransport, cancellationToken).ConfigureAwait(false);
    }

    private async Task<int> RunCoreAsync(IClientTransport childTransport, ITransport upstreamTransport, CancellationToken cancellationToken)
    {
        var loggerFactory = _services.GetRequiredService<ILoggerFactory>();
        var gated = _services.CreatePolicyTransport(_settings.ServerId, childTransport);
        var clientOptions = new McpClientOptions
        {
            ClientInfo = new Implementation { Name = "mcp-policy-gateway", Version = GatewayVersion.Value },
            InitializationTimeout = _settings.StartupTimeout,
            Handlers = new McpClientHandlers
            {
                NotificationHandlers = [.. ForwardedNotifications.Select(m => new KeyValuePair<string, Func<JsonRpcNotification, CancellationToken, ValueTask>>(m, ForwardNotificationAsync))],
            },
        };
        if (_settings.ChildProtocolVersion is not null)
        {
            clientOptions.ProtocolVersion = _settings.ChildProtocolVersion;
        }

        try
        {
            _child = await McpClient.CreateAsync(gated, clientOptions, loggerFactory, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogChildDidNotStart(_logger, _label, Unwrap(ex) + (childTransport is ChildProcessTransport process ? "; " + process.DescribeEnd() : string.Empty));
            return GatewayExitCodes.ChildFailed;
        }

        await using (_child.ConfigureAwait(false))
        {
            var info = _child.ServerInfo;
            LogConnected(_logger, _label, info?.Name, info?.Version, _child.NegotiatedProtocolVersion);

            using var listening = new CancellationTokenSource();
            var listen = ListenToChildAsync(_child, listening.Token);
            var server = McpServer.Create(upstreamTransport, CreateServerOptions(_child), loggerFactory, _services);
            await using (server.ConfigureAwait(false))
            {
                _upstream = server;
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var serving = server.RunAsync(stop.Token);
                var childEnded = _child.Completion;
                // The upstream input ending means the client is gone, even while the SDK still holds a 2026-07-28 subscriptions/listen
                // stream open (its RunAsync does not return then): give in-flight requests a moment, then stop.
                var upstreamClosed = upstreamTransport.MessageReader.Completion;
                var first = await Task.WhenAny(serving, childEnded, upstreamClosed).ConfigureAwait(false);
                if (first == upstreamClosed && !childEnded.IsCompleted)
                {
                    await Task.WhenAny(serving, childEnded, Task.Delay(ShutdownGrace, CancellationToken.None)).ConfigureAwait(false);
                    if (!childEnded.IsCompleted)
                    {
                        await stop.CancelAsync().ConfigureAwait(false);
                        first = serving;
                    }
                    else
                    {
                        first = childEnded;
                    }
                }

                if (first == childEnded)
                {
                    var details = await childEnded.ConfigureAwait(false);
                    LogChildEnded(_logger, _label, childTransport is ChildProcessTransport process ? process.DescribeEnd() : DescribeEnd(details));
                    await stop.CancelAsync().ConfigureAwait(false);
                    await IgnoreFailureAsync(serving).ConfigureAwait(false);
                    return GatewayExitCodes.ChildFailed;
                }

                await IgnoreFailureAsync(serving).ConfigureAwait(false);
                await listening.CancelAsync().ConfigureAwait(false);
                await IgnoreFailureAsync(listen).ConfigureAwait(false);
                LogUpstreamClosed(_logger);
                return ExitCodes.Ok;
            }
        }
    }

    /// <summary>
    /// On 2026-07-28 a server sends change notifications only over an open <c>subscriptions/listen</c> request: hold one open for the
    /// session for every list the child can announce, so its changes reach the policy catalog and the upstream client.
    /// </summary>
    private static Task ListenToChildAsync(McpClient child, CancellationToken cancellationToken)
    {
        var caps = child.ServerCapabilities;
        var version = child.NegotiatedProtocolVersion;
        if (version is null || string.CompareOrdinal(version, "2026-07-28") < 0
            || (caps?.Tools?.ListChanged != true && caps?.Prompts?.ListChanged != true && caps?.Resources?.ListChanged != true))
        {
            return Task.CompletedTask;
        }

        var request = new JsonRpcRequest
        {
            Method = RequestMethods.SubscriptionsListen,
            Params = System.Text.Json.JsonSerializer.SerializeToNode(
                new SubscriptionsListenRequestParams
                {
                    Notifications = new SubscriptionsListenNotifications
                    {
                        ToolsListChanged = caps.Tools?.ListChanged == true ? true : null,
                        PromptsListChanged = caps.Prompts?.ListChanged == true ? true : null,
                        ResourcesListChanged = caps.Resources?.ListChanged == true ? true : null,
                    },
                },
                McpJsonUtilities.DefaultOptions),
        };
        return child.SendRequestAsync(request, cancellationToken);
    }

    private McpServerOptions CreateServerOptions(McpClient child)
    {
        var caps = child.ServerCapabilities ?? new ServerCapabilities();
        var handlers = new McpServerHandlers();
        var capabilities = new ServerCapabilities();
        if (caps.Tools is not null)
        {
            capabilities.Tools = new ToolsCapability { ListChanged = caps.Tools.ListChanged };
            handlers.ListToolsHandler = (request, ct) => ForwardAsync(request, (c, p, t) => c.ListToolsAsync(p ?? new ListToolsRequestParams(), t), ct);
            handlers.CallToolHandler = CallToolAsync;
        }

        if (caps.Prompts is not null)
        {
            capabilities.Prompts = new PromptsCapability { ListChanged = caps.Prompts.ListChanged };
            handlers.ListPromptsHandler = (request, ct) => ForwardAsync(request, (c, p, t) => c.ListPromptsAsync(p ?? new ListPromptsRequestParams(), t), ct);
            handlers.GetPromptHandler = (request, ct) => ForwardAsync(request, (c, p, t) => c.GetPromptAsync(Required(p), t), ct);
        }

        if (caps.Resources is not null)
        {
            capabilities.Resources = new ResourcesCapability { ListChanged = caps.Resources.ListChanged, Subscribe = caps.Resources.Subscribe };
            handlers.ListResourcesHandler = (request, ct) => ForwardAsync(request, (c, p, t) => c.ListResourcesAsync(p ?? new ListResourcesRequestParams(), t), ct);
            handlers.ListResourceTemplatesHandler = (request, ct) => ForwardAsync(request, (c, p, t) => c.ListResourceTemplatesAsync(p ?? new ListResourceTemplatesRequestParams(), t), ct);
            handlers.ReadResourceHandler = (request, ct) => ForwardAsync(request, (c, p, t) => c.ReadResourceAsync(Required(p), t), ct);
            if (caps.Resources.Subscribe == true)
            {
                handlers.SubscribeToResourcesHandler = (request, ct) => ForwardAsync(request, async (c, p, t) =>
                {
                    await c.SubscribeToResourceAsync(Required(p), t).ConfigureAwait(false);
                    return new EmptyResult();
                }, ct);
                handlers.UnsubscribeFromResourcesHandler = (request, ct) => ForwardAsync(request, async (c, p, t) =>
                {
                    await c.UnsubscribeFromResourceAsync(Required(p), t).ConfigureAwait(false);
                    return new EmptyResult();
                }, ct);
            }
        }

        if (caps.Completions is not null)
        {
            capabilities.Completions = new CompletionsCapability();
            handlers.CompleteHandler = (request, ct) => ForwardAsync(request, (c, p, t) => c.CompleteAsync(Required(p), t), ct);
        }

        return new McpServerOptions
        {
            ServerInfo = new Implementation
            {
                Name = child.ServerInfo?.Name ?? "mcp-policy-gateway",
                Title = child.ServerInfo?.Title,
                Version = child.ServerInfo?.Version ?? GatewayVersion.Value,
            },
            ServerInstructions = child.ServerInstructions,
            Capabilities = capabilities,
            Handlers = handlers,

            // The handlers only forward; a DI scope per request would be pure overhead on the hot path.
            ScopeRequests = false,
        };
    }

    private async ValueTask<CallToolResult> CallToolAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken)
    {
        // The approval handler asks the upstream client that made this call (elicitation), found on this async path.
        GatewayApprovalHandler.CurrentUpstream = request.Server;
        try
        {
            return await ForwardAsync(request, (c, p, t) => c.CallToolAsync(Required(p), t), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            GatewayApprovalHandler.CurrentUpstream = null;
        }
    }

    private async ValueTask<TResult> ForwardAsync<TParams, TResult>(
        RequestContext<TParams> request,
        Func<McpClient, TParams?, CancellationToken, ValueTask<TResult>> send,
        CancellationToken cancellationToken)
    {
        var child = _child ?? throw new McpProtocolException("The gateway is not connected to its server.", McpErrorCode.InternalError);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_settings.RequestTimeout);
        try
        {
            return await send(child, request.Params, timeout.Token).ConfigureAwait(false);
        }
        catch (McpProtocolException ex)
        {
            // The child's own JSON-RPC error: pass its code and message on unchanged.
            var message = ex.Message.StartsWith(RemotePrefix, StringComparison.Ordinal) ? ex.Message[RemotePrefix.Length..] : ex.Message;
            throw new McpProtocolException(message, ex.ErrorCode);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && timeout.IsCancellationRequested)
        {
            LogTimedOut(_logger, request.JsonRpcRequest.Method, _settings.RequestTimeout.TotalSeconds);
            throw new McpProtocolException(
                $"The server behind the gateway did not answer '{request.JsonRpcRequest.Method}' within {_settings.RequestTimeout.TotalSeconds:0.###} s.",
                McpErrorCode.InternalError);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            if (child.Completion.IsCompleted)
            {
                throw new McpProtocolException($"The server behind the gateway ended during '{request.JsonRpcRequest.Method}'.", McpErrorCode.InternalError);
            }

            LogForwardFailed(_logger, request.JsonRpcRequest.Method, Unwrap(ex));
            throw new McpProtocolException($"The gateway could not forward '{request.JsonRpcRequest.Method}' to its server.", McpErrorCode.InternalError);
        }
    }

    private async ValueTask ForwardNotificationAsync(JsonRpcNotification notification, CancellationToken cancellationToken)
    {
        var upstream = _upstream;
        if (upstream is null)
        {
            return;
        }

        try
        {
            await upstream.SendMessageAsync(new JsonRpcNotification { Method = notification.Method, Params = notification.Params?.DeepClone() }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogNotificationDropped(_logger, notification.Method, ex.Message);
        }
    }

    private static T Required<T>(T? value)
        where T : class
        => value ?? throw new McpProtocolException("Missing request parameters.", McpErrorCode.InvalidParams);

    private static async Task IgnoreFailureAsync(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The session ended; what ended it was reported already.
        }
    }

    internal static string Describe(GatewaySettings settings)
        => settings.Arguments.Count == 0 ? settings.Command : settings.Command + " " + string.Join(' ', settings.Arguments);

    internal static string DescribeEnd(ClientCompletionDetails details)
    {
        var text = details switch
        {
            StdioClientCompletionDetails { ExitCode: { } code } => $"the process exited with code {code}",
            StdioClientCompletionDetails => "the process ended",
            _ => "the connection closed",
        };
        if (details.Exception is { } ex)
        {
            text += " (" + Unwrap(ex) + ")";
        }

        if (details is StdioClientCompletionDetails { StandardErrorTail: { Count: > 0 } tail })
        {
            text += "; last standard error: " + string.Join(" | ", tail.TakeLast(5));
        }

        return text;
    }

    private static string Unwrap(Exception ex)
    {
        while (ex.InnerException is not null && ex is AggregateException)
        {
            ex = ex.InnerException;
        }

        return ex.Message;
    }

    [LoggerMessage(EventId = 9001, Level = LogLevel.Information, Message = "Connected to '{Command}' ({Name} {Version}, protocol {Protocol}); serving MCP on standard input/output.")]
    private static partial void LogConnected(ILogger logger, string command, string? name, string? version, string? protocol);

    [LoggerMessage(EventId = 9002, Level = LogLevel.Error, Message = "The server '{Command}' did not start: {Reason}.")]
    private static partial void LogChildDidNotStart(ILogger logger, string command, string reason);

    [LoggerMessage(EventId = 9003, Level = LogLevel.Error, Message = "The server '{Command}' ended: {Reason}. The gateway stops.")]
    private static partial void LogChildEnded(ILogger logger, string command, string reason);

    [LoggerMessage(EventId = 9004, Level = LogLevel.Information, Message = "The upstream client disconnected; stopping the server.")]
    private static partial void LogUpstreamClosed(ILogger logger);

    [LoggerMessage(EventId = 9005, Level = LogLevel.Warning, Message = "The server did not answer '{Method}' within {Seconds} s; the request failed.")]
    private static partial void LogTimedOut(ILogger logger, string method, double seconds);

    [LoggerMessage(EventId = 9006, Level = LogLevel.Warning, Message = "Forwarding '{Method}' failed: {Reason}.")]
    private static partial void LogForwardFailed(ILogger logger, string method, string reason);

    [LoggerMessage(EventId = 9007, Level = LogLevel.Warning, Message = "Could not forward the notification '{Method}' upstream: {Reason}.")]
    private static partial void LogNotificationDropped(ILogger logger, string method, string reason);
}
