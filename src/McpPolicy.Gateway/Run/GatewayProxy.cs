using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
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
    private const string OwnIdPrefix = "mcp-policy-gateway-";

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
    private readonly ConcurrentDictionary<RequestId, ForwardedCall> _forwarded = new();
    private readonly ConcurrentDictionary<RequestId, ForwardedCall> _awaitingReply = new();
    private long _ownIds;
    private int _callsForwardedDirectly;
    private McpPolicy.Client.PolicySessionTransport? _session;
    private McpClient? _child;
    private McpServer? _upstream;
    private CallForwardingTransport? _upstreamTransport;
    private bool _forwardCalls;

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
    public static Task<int> RunAsync(GatewaySettings settings, IServiceProvider services, IClientTransport childTransport, ITransport upstreamTransport, CancellationToken cancellationToken)
        => Create(settings, services).RunAsync(childTransport, upstreamTransport, cancellationToken);

    /// <summary>A proxy that has not started (tests keep it to read <see cref="CallsForwardedDirectly"/>).</summary>
    internal static GatewayProxy Create(GatewaySettings settings, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(services);
        return new GatewayProxy(settings, services);
    }

    /// <summary>How many <c>tools/call</c> requests took the forwarding path (<see cref="TakeMessage"/>) rather than the SDK server's handler.</summary>
    internal int CallsForwardedDirectly => Volatile.Read(ref _callsForwardedDirectly);

    /// <summary>See <see cref="RunAsync(GatewaySettings, IServiceProvider, IClientTransport, ITransport, CancellationToken)"/>; once per proxy.</summary>
    internal async Task<int> RunAsync(IClientTransport childTransport, ITransport upstreamTransport, CancellationToken cancellationToken)
    {
        var loggerFactory = _services.GetRequiredService<ILoggerFactory>();
        var gated = _services.CreatePolicyTransport(_settings.ServerId, childTransport);

        // Every filter is McpPolicy's own and none waits once the tool ran: a reply finishes its call on the child's reader thread, and the
        // answers to the calls this proxy forwards itself are taken there (TakeReply) instead of crossing the MCP client.
        gated.InlineReplies = true;
        gated.DeliveryTap = TakeReply;
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
            var forwarding = new CallForwardingTransport(upstreamTransport, TakeMessage);
            var server = McpServer.Create(forwarding, CreateServerOptions(_child), loggerFactory, _services);
            await using (server.ConfigureAwait(false))
            {
                _upstreamTransport = forwarding;
                _session = gated.LastSession;
                _forwardCalls = _child.ServerCapabilities?.Tools is not null && _session is not null && HasHandshake(_child.NegotiatedProtocolVersion);
                _ = _session?.MessageReader.Completion.ContinueWith(_ => FailAwaitingReplies(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
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
        catch (Exception ex) when (ex is not OperationCanceledException || (!cancellationToken.IsCancellationRequested && timeout.IsCancellationRequested))
        {
            throw Translate(ex, child, request.JsonRpcRequest.Method);
        }
    }

    /// <summary>
    /// Takes a <c>tools/call</c> off the upstream connection before the SDK server sees it, and forwards it itself (see
    /// <see cref="ForwardCallAsync"/>); takes the upstream's cancellation of a call forwarded that way. Everything else goes to the server.
    /// </summary>
    /// <remarks>
    /// Only when both sessions negotiated a revision with the <c>initialize</c> handshake (before 2026-07-28): there the upstream client's
    /// capabilities are the session's, which the approval handler reads, and a request to the child needs nothing the MCP client adds. On
    /// 2026-07-28 the SDK server validates each request's protocol <c>_meta</c> and binds the client's capabilities to the request, and the
    /// SDK client adds its own, so those calls take the server's handler and the client.
    /// </remarks>
    private bool TakeMessage(JsonRpcMessage message)
    {
        switch (message)
        {
            case JsonRpcRequest { Method: RequestMethods.ToolsCall } request
                when _forwardCalls && HasHandshake(_upstream?.NegotiatedProtocolVersion) && !HasProtocolMeta(request.Params):
                var call = new ForwardedCall(request, new RequestId(OwnIdPrefix + Interlocked.Increment(ref _ownIds).ToString(CultureInfo.InvariantCulture)));
                if (!_forwarded.TryAdd(request.Id, call))
                {
                    // The same id twice in flight: the server's handling answers it as it answers any request.
                    call.Dispose();
                    return false;
                }

                Interlocked.Increment(ref _callsForwardedDirectly);
                _ = ForwardCallAsync(call);
                return true;

            case JsonRpcNotification { Method: NotificationMethods.CancelledNotification } notification
                when ReadCancelledId(notification) is { } id && _forwarded.TryGetValue(id, out var cancelled):
                cancelled.CancelByClient();
                return true;

            default:
                return false;
        }
    }

    /// <summary>The policy gate's answer to a call this proxy forwarded (on the thread that produced it): completes that call.</summary>
    private bool TakeReply(JsonRpcMessage message)
    {
        // Only answers: a request from the child that reuses one of these ids is not an answer to anything.
        if (message is not (JsonRpcResponse or JsonRpcError) || message is not JsonRpcMessageWithId { Id.Id: string id } reply
            || !id.StartsWith(OwnIdPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        if (_awaitingReply.TryRemove(reply.Id, out var call))
        {
            call.Reply.TrySetResult(reply);
        }

        // A late answer to a call already given up on is nobody's.
        return true;
    }

    /// <summary>The connection to the child closed: the calls still waiting for an answer will not get one.</summary>
    private void FailAwaitingReplies()
    {
        foreach (var pair in _awaitingReply)
        {
            if (_awaitingReply.TryRemove(pair))
            {
                pair.Value.Reply.TrySetException(new ChildEndedException());
            }
        }
    }

    private static bool HasHandshake(string? version) => version is not null && string.CompareOrdinal(version, "2026-07-28") < 0;

    private static bool HasProtocolMeta(JsonNode? parameters)
    {
        if (parameters is JsonObject body && body.TryGetPropertyValue("_meta", out var meta) && meta is JsonObject entries)
        {
            foreach (var entry in entries)
            {
                if (entry.Key.StartsWith("io.modelcontextprotocol/", StringComparison.Ordinal))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static RequestId? ReadCancelledId(JsonRpcNotification notification)
    {
        try
        {
            return notification.Params is JsonObject body && body["requestId"] is JsonValue value
                ? value.GetValueKind() switch
                {
                    JsonValueKind.String => new RequestId(value.GetValue<string>()),
                    JsonValueKind.Number when value.TryGetValue<long>(out var number) => new RequestId(number),
                    _ => null,
                }
                : null;
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    /// <summary>
    /// The forwarding path of a <c>tools/call</c>: the request's params go, as they came and under an id of the proxy's own, into the policy
    /// gate's connection (the same pipeline as every call the MCP client makes), and the gate's answer goes upstream as it came back, under
    /// the upstream's request id. The result is not turned into a <see cref="CallToolResult"/> and encoded again, and the call does not wait
    /// for the SDK server's or client's dispatch. Failures are answered as the server's handler answers them (<see cref="Translate"/>); a
    /// call the upstream client cancelled is not answered (the gate tells the child).
    /// </summary>
    private async Task ForwardCallAsync(ForwardedCall call)
    {
        var request = call.Request;
        var child = _child!;
        JsonRpcMessage? reply = null;
        GatewayApprovalHandler.CurrentUpstream = _upstream;
        try
        {
            call.Cancellation.CancelAfter(_settings.RequestTimeout);
            using var giveUp = call.Cancellation.Token.UnsafeRegister(static state => ((ForwardedCall)state!).Reply.TrySetCanceled(), call);
            _awaitingReply[call.OwnId] = call;
            await _session!.SendMessageAsync(
                new JsonRpcRequest { Id = call.OwnId, Method = RequestMethods.ToolsCall, Params = request.Params },
                call.Cancellation.Token).ConfigureAwait(false);
            reply = await call.Reply.Task.ConfigureAwait(false) switch
            {
                JsonRpcError error => new JsonRpcError { Id = request.Id, Error = error.Error },
                var answer => new JsonRpcResponse { Id = request.Id, Result = ((JsonRpcResponse)answer).Result },
            };
        }
        catch (OperationCanceledException) when (call.CancelledByClient)
        {
            // The upstream client gave up on the call; the gate told the child. No answer is due.
        }
#pragma warning disable CA1031 // Every failure becomes the JSON-RPC error the server's handler would have sent.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            var error = ex is OperationCanceledException && !call.Cancellation.IsCancellationRequested
                ? new McpProtocolException($"The gateway could not forward '{request.Method}' to its server.", McpErrorCode.InternalError)
                : Translate(ex, child, request.Method);
            reply = new JsonRpcError { Id = request.Id, Error = new JsonRpcErrorDetail { Code = (int)error.ErrorCode, Message = error.Message } };
        }
        finally
        {
            GatewayApprovalHandler.CurrentUpstream = null;
            _awaitingReply.TryRemove(KeyValuePair.Create(call.OwnId, call));
            _forwarded.TryRemove(KeyValuePair.Create(request.Id, call));
            call.Dispose();
        }

        if (reply is null)
        {
            return;
        }

        try
        {
            await _upstreamTransport!.SendMessageAsync(reply, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            LogReplyNotSent(_logger, request.Method, ex.Message);
        }
    }

    /// <summary>
    /// What the upstream client hears when forwarding a request failed: the child's own JSON-RPC error unchanged, a timeout, the child's end,
    /// or a generic failure (the details go to the log, not to the client).
    /// </summary>
    private McpProtocolException Translate(Exception ex, McpClient child, string method)
    {
        switch (ex)
        {
            case McpProtocolException remote:
                // The child's own JSON-RPC error: pass its code and message on unchanged.
                var message = remote.Message.StartsWith(RemotePrefix, StringComparison.Ordinal) ? remote.Message[RemotePrefix.Length..] : remote.Message;
                return new McpProtocolException(message, remote.ErrorCode);
            case OperationCanceledException:
                LogTimedOut(_logger, method, _settings.RequestTimeout.TotalSeconds);
                return new McpProtocolException(
                    $"The server behind the gateway did not answer '{method}' within {_settings.RequestTimeout.TotalSeconds:0.###} s.",
                    McpErrorCode.InternalError);
            default:
                if (ex is ChildEndedException || child.Completion.IsCompleted)
                {
                    return new McpProtocolException($"The server behind the gateway ended during '{method}'.", McpErrorCode.InternalError);
                }

                LogForwardFailed(_logger, method, Unwrap(ex));
                return new McpProtocolException($"The gateway could not forward '{method}' to its server.", McpErrorCode.InternalError);
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

    [LoggerMessage(EventId = 9008, Level = LogLevel.Warning, Message = "Could not send the answer to '{Method}' upstream: {Reason}.")]
    private static partial void LogReplyNotSent(ILogger logger, string method, string reason);

    [LoggerMessage(EventId = 9007, Level = LogLevel.Warning, Message = "Could not forward the notification '{Method}' upstream: {Reason}.")]
    private static partial void LogNotificationDropped(ILogger logger, string method, string reason);

    /// <summary>
    /// A <c>tools/call</c> on the forwarding path: the upstream request, the proxy's own id for it, its answer, and its cancellation (the
    /// upstream client's, or the timeout).
    /// </summary>
    private sealed class ForwardedCall : IDisposable
    {
        private int _cancelledByClient;

        public ForwardedCall(JsonRpcRequest request, RequestId ownId)
        {
            Request = request;
            OwnId = ownId;
        }

        public JsonRpcRequest Request { get; }

        public RequestId OwnId { get; }

        /// <summary>Completed by <see cref="TakeReply"/> on the thread that produced the answer, which then writes it upstream.</summary>
        public TaskCompletionSource<JsonRpcMessageWithId> Reply { get; } = new();

        public CancellationTokenSource Cancellation { get; } = new();

        public bool CancelledByClient => Volatile.Read(ref _cancelledByClient) != 0;

        public void CancelByClient()
        {
            Volatile.Write(ref _cancelledByClient, 1);
            try
            {
                Cancellation.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The call has just ended.
            }
        }

        public void Dispose() => Cancellation.Dispose();
    }

    /// <summary>The connection to the child closed while a forwarded call waited for its answer.</summary>
    private sealed class ChildEndedException : Exception
    {
        public ChildEndedException()
            : base("The connection to the server closed before it answered.")
        {
        }
    }
}
