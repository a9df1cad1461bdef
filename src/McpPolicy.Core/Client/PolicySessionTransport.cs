using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace McpPolicy.Client;

/// <summary>
/// The connected side of <see cref="PolicyClientTransport"/>: sits between the MCP client and the real transport, runs every
/// outgoing <c>tools/call</c> through the policy pipeline, keeps the tool catalog current from <c>tools/list</c> traffic and
/// hides blocked tools from listings. Every other message passes through unchanged.
/// </summary>
/// <remarks>
/// Every request the client sends is tracked by id until its response arrives; a response whose id the client never sent (or
/// whose call is still being decided) is dropped, so a server cannot answer a call in place of the gate.
/// </remarks>
internal sealed partial class PolicySessionTransport : ITransport
{
    private const string OwnRequestIdPrefix = "mcppolicy-tools-list-";
    private const string ProtocolMetaPrefix = "io.modelcontextprotocol/";
    private const int MaxCatalogPages = 1000;
    private const string InputRequired = "input_required";
    private const string IdInUse = "A request with this id is already in progress.";

    private static readonly object OtherRequest = new();

    /// <summary>
    /// What the pipeline sees as the tool's result when the server's response passes through undecoded: an empty result, shared, whose
    /// content cannot be added to. When the pipeline returns it, the client receives the server's response instead.
    /// </summary>
    private static readonly CallToolResult PassedThrough = new() { Content = Array.Empty<ContentBlock>() };

    private static readonly Func<ToolInvocationContext, CancellationToken, ValueTask<CallToolResult>> InvokeServer =
        static (context, cancellationToken) =>
        {
            var call = (PendingCall)context.InvokerState!;
            return call.Transport.SendCallAsync(call, cancellationToken);
        };

    /// <summary>
    /// <see cref="InvokeServer"/> as the pipeline's direct invoker: the call's reply stores the result in the context itself, so no state
    /// machine runs per call. Used while a filter has not replaced <see cref="InvokeServer"/>.
    /// </summary>
    private static readonly Func<ToolInvocationContext, CancellationToken, ValueTask> InvokeServerDirect =
        static (context, cancellationToken) =>
        {
            var call = (PendingCall)context.InvokerState!;
            return call.Transport.SendCallDirectAsync(call, cancellationToken);
        };

    private static long s_ownRequestIds;

    private readonly PolicyClientTransport _owner;
    private readonly ITransport _inner;
    private readonly ServerToolCatalog _catalog;
    private readonly ILogger _logger;
    private readonly Channel<JsonRpcMessage> _incoming;
    private readonly ConcurrentDictionary<RequestId, object> _outstanding = new();

    // The call in progress when it is the only one (the usual case), kept out of _outstanding to spare each call a locked insert and
    // removal. An id is in at most one of the two (TryTrack).
    private PendingCall? _soleCall;
    private readonly MetaCache _metaCache = new();
    private readonly Task _reader;

    // Touched only by the reader loop.
    private ListingInProgress? _listing;
    private IToolListingFilter[]? _listingFilters;
    private volatile bool _closed;
    private int _closeOnce;
    private int _disposed;

    public PolicySessionTransport(PolicyClientTransport owner, ITransport inner, ServerToolCatalog catalog, ILogger logger)
    {
        _owner = owner;
        _inner = inner;
        _catalog = catalog;
        _logger = logger;
        _incoming = Channel.CreateUnbounded<JsonRpcMessage>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = false });
        _reader = ReadAsync();
    }

    /// <inheritdoc />
    public string? SessionId => _inner.SessionId;

    /// <inheritdoc />
    public ChannelReader<JsonRpcMessage> MessageReader => _incoming.Reader;

    /// <summary>Requests sent and not yet answered (tests check nothing leaks).</summary>
    internal int OutstandingCount => _outstanding.Count + (Volatile.Read(ref _soleCall) is null ? 0 : 1);

    /// <inheritdoc />
    public Task SendMessageAsync(JsonRpcMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        switch (message)
        {
            case JsonRpcRequest { Method: RequestMethods.ToolsCall } call:
                StartCall(call, cancellationToken);
                return Task.CompletedTask;
            case JsonRpcRequest { Method: RequestMethods.ToolsList } list:
                return SendTrackedAsync(list, new HostListing(IsFirstPage(list), _catalog.Generation), cancellationToken);
            case JsonRpcRequest request:
                return SendTrackedAsync(request, OtherRequest, cancellationToken);
            case JsonRpcNotification { Method: NotificationMethods.CancelledNotification } cancelled:
                return SendCancellationAsync(cancelled, cancellationToken);
            default:
                return _inner.SendMessageAsync(message, cancellationToken);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _closed = true;
        try
        {
            await _inner.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            // The reader waits without a token, so it ends when the inner transport completes its channel, as disposing it does.
            // One that does not must not hold disposal up: the connection is closed here instead.
            if (_inner.MessageReader.Completion.IsCompleted)
            {
                await _reader.ConfigureAwait(false);
            }
            else
            {
                Close(null);
            }
        }
    }

    private static bool IsFirstPage(JsonRpcRequest request)
        => request.Params is not JsonObject parameters || !parameters.TryGetPropertyValue("cursor", out var cursor) || cursor is null;

    private static JsonRpcError Error(RequestId id, McpErrorCode code, string message)
        => new() { Id = id, Error = new JsonRpcErrorDetail { Code = (int)code, Message = message } };

    private static JsonRpcResponse Response(RequestId id, CallToolResult result)
        => new() { Id = id, Result = JsonObject.Create(JsonSerializer.SerializeToElement(result, ProtocolJson.CallToolResult)) };

    private static bool IsInputRequired(JsonNode? result)
        => result is JsonObject obj && obj.TryGetPropertyValue("resultType", out var type)
            && type is JsonValue value && value.TryGetValue<string>(out var text) && text == InputRequired;

    private async Task SendTrackedAsync(JsonRpcRequest request, object entry, CancellationToken cancellationToken)
    {
        var tracked = request.Id.Id is not null;
        if (tracked && !TryTrack(request.Id, entry))
        {
            Deliver(Error(request.Id, McpErrorCode.InvalidRequest, IdInUse));
            return;
        }

        try
        {
            await _inner.SendMessageAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            if (tracked)
            {
                _outstanding.TryRemove(KeyValuePair.Create(request.Id, entry));
            }

            throw;
        }
    }

    private Task SendCancellationAsync(JsonRpcNotification notification, CancellationToken cancellationToken)
    {
        RequestId requestId = default;
        try
        {
            requestId = JsonSerializer.Deserialize(notification.Params, ProtocolJson.CancelledNotificationParams)?.RequestId ?? default;
        }
        catch (JsonException)
        {
            // Not ours to judge: pass it on.
        }

        if (requestId.Id is not null && TryGetOutstanding(requestId, out var entry))
        {
            if (entry is PendingCall call)
            {
                // A call still being decided never reached the server: stop it here and tell the server nothing.
                if (!call.Abandon() || !call.TryClaimServerCancellation())
                {
                    return Task.CompletedTask;
                }
            }
            else if (entry is not TaskCompletionSource<JsonRpcMessage>)
            {
                _outstanding.TryRemove(KeyValuePair.Create(requestId, entry));
            }
        }

        return _inner.SendMessageAsync(notification, cancellationToken);
    }

    private void StartCall(JsonRpcRequest request, CancellationToken cancellationToken)
    {
        if (request.Id.Id is null)
        {
            // A call without an id can never be answered; it is not sent either.
            LogCallWithoutId(_logger, _owner.ServerId);
            return;
        }

        var call = new PendingCall(this, request, _owner.InlineReplies, _owner.PassesResultsThrough);
        if (!TryTrack(request.Id, call))
        {
            call.Dispose();
            Deliver(Error(request.Id, McpErrorCode.InvalidRequest, IdInUse));
            return;
        }

        call.WatchClientCancellation(cancellationToken);
        _ = RunCallAsync(call);
    }

    /// <summary>The caller gave up on a call: stop deciding it, and tell the server (once) if it already has the request.</summary>
    internal void OnClientCancelled(PendingCall call)
    {
        if (call.Abandon() && call.TryClaimServerCancellation())
        {
            _ = NotifyServerCancelledAsync(call.Id);
        }
    }

    /// <summary>Decides one call and delivers its response. Starts on the caller's async path, so ambient scopes flow into it.</summary>
    private async Task RunCallAsync(PendingCall call)
    {
        var id = call.Id;
        try
        {
            var status = ToolCallReader.Read(call.Request.Params, out var parsed, _metaCache);
            if (status != ToolCallReadStatus.Ok)
            {
                Deliver(Reject(call, status));
                return;
            }

            call.Call = parsed;
            var conversationId = parsed.ConversationId ?? McpPolicyConversation.CurrentId;
            var principal = _owner.PrincipalProvider?.Invoke();

            if (_catalog.Status != ToolCatalogStatus.Loaded)
            {
                await LoadCatalogAsync(parsed.Meta, call.Token).ConfigureAwait(false);
            }

            _catalog.TryGet(parsed.Name, out var tool);
            var context = new ToolInvocationContext(_owner.ServerId, parsed.Name, ToolArguments.FromJson(parsed.Arguments), tool)
            {
                Principal = principal,
                ConversationId = conversationId,
                RequestIdSource = id,
                Services = _owner.Services,
                Invoker = InvokeServer,
                InvokerState = call,
                DirectInvoker = InvokeServerDirect,
                DirectInvokerReplaces = InvokeServer,
            };
            call.Context = context;

            // The pipeline's own failure handling, in this state machine rather than one more of the pipeline's.
            try
            {
                await _owner.Pipeline.RunAsync(context, call.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ToolInvocationPipeline.IsFilterFailure(ex, call.Token))
            {
                ToolInvocationPipeline.Fail(context);
            }

            var result = ToolInvocationPipeline.Outcome(context);
            Deliver(!ReferenceEquals(result, PassedThrough) ? Response(id, result)
                : call.UndecodedReply ?? Error(id, McpErrorCode.InternalError, "The policy gate lost the server's answer to this call, so it was not completed."));
        }
        catch (McpPolicyToolException ex)
        {
            Deliver(call.PassThrough ?? Error(id, call.ErrorCode, ex.Message));
        }
        catch (OperationCanceledException) when (call.Token.IsCancellationRequested)
        {
            // The client cancelled the call (it no longer waits for an answer), or the connection is closing.
        }
#pragma warning disable CA1031 // Fail closed: whatever went wrong, the call was not completed and the client gets an error.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogCallFailed(_logger, _owner.ServerId, ex);
            Deliver(Error(id, McpErrorCode.InternalError, "The policy gate failed while handling this call, so it was not completed."));
        }
        finally
        {
            Untrack(call);
            call.Dispose();
        }
    }

    private JsonRpcMessage Reject(PendingCall call, ToolCallReadStatus status)
    {
        switch (status)
        {
            case ToolCallReadStatus.Ambiguous:
                LogAmbiguousCall(_logger, _owner.ServerId, call.Id.ToString());
                return Response(call.Id, Denials.Create("request-integrity", "the call repeats a property name (or nests too deeply), so the tool and the policy could read different values"));
            case ToolCallReadStatus.MissingName:
                return Error(call.Id, McpErrorCode.InvalidParams, "A tools/call request must name the tool.");
            case ToolCallReadStatus.ArgumentsNotAnObject:
                return Error(call.Id, McpErrorCode.InvalidParams, "The arguments of a tools/call request must be a JSON object.");
            default:
                return Error(call.Id, McpErrorCode.InvalidParams, "The params of a tools/call request must be a JSON object.");
        }
    }

    /// <summary>
    /// The pipeline's invoker: sends the exact params that were decided and returns the server's answer. When the send completes at
    /// once and the pipeline passed the call's own token, the call itself is the awaited result: no state machine, no task.
    /// </summary>
    private ValueTask<CallToolResult> SendCallAsync(PendingCall call, CancellationToken cancellationToken)
    {
        var sending = StartSend(call, cancellationToken, out var refusal);
        if (sending is null)
        {
            return refusal is OperationCanceledException ? ValueTask.FromCanceled<CallToolResult>(call.Token) : ValueTask.FromException<CallToolResult>(refusal!);
        }

        // The reply is cancelled with the call itself, so only a token a filter made needs a wait of its own.
        return sending.IsCompletedSuccessfully && cancellationToken == call.Token
            ? call.ReplyAsync()
            : AwaitSentCallAsync(call, sending, cancellationToken);
    }

    /// <summary><see cref="SendCallAsync"/> for the pipeline's direct invoker: the result goes into the call's context.</summary>
    private ValueTask SendCallDirectAsync(PendingCall call, CancellationToken cancellationToken)
    {
        var sending = StartSend(call, cancellationToken, out var refusal);
        if (sending is null)
        {
            return refusal is OperationCanceledException ? ValueTask.FromCanceled(call.Token) : ValueTask.FromException(refusal!);
        }

        return sending.IsCompletedSuccessfully && cancellationToken == call.Token
            ? call.ReplyIntoContextAsync()
            : StoreResultAsync(call, AwaitSentCallAsync(call, sending, cancellationToken));
    }

    private static async ValueTask StoreResultAsync(PendingCall call, ValueTask<CallToolResult> result)
        => call.Context!.Result = await result.ConfigureAwait(false);

    /// <summary>
    /// Sends the exact params that were decided, once: the send under way, or null with why the call ends here (it was abandoned, or
    /// already sent).
    /// </summary>
    private Task? StartSend(PendingCall call, CancellationToken cancellationToken, out Exception? refusal)
    {
        refusal = null;
        if (!call.TryMarkSent())
        {
            if (call.Token.IsCancellationRequested)
            {
                refusal = new OperationCanceledException(call.Token);
                return null;
            }

            call.ErrorCode = McpErrorCode.InternalError;
            refusal = new McpPolicyToolException("The call was already sent to the server; a call is sent at most once.");
            return null;
        }

        var request = new JsonRpcRequest
        {
            JsonRpc = call.Request.JsonRpc,
            Id = call.Id,
            Method = RequestMethods.ToolsCall,
            Params = call.Call.Parameters,
            Context = call.Request.Context,
        };

        try
        {
            return _inner.SendMessageAsync(request, cancellationToken);
        }
#pragma warning disable CA1031 // Handled as the failed send it is (by the caller's wait).
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return Task.FromException(ex);
        }
    }

    /// <summary>The rest of <see cref="SendCallAsync"/> when the send is still under way or the pipeline passed a token of its own.</summary>
    private async ValueTask<CallToolResult> AwaitSentCallAsync(PendingCall call, Task sending, CancellationToken cancellationToken)
    {
        try
        {
            await sending.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            call.ErrorCode = McpErrorCode.InternalError;
            throw new McpPolicyToolException("The call could not be sent to the server.", ex);
        }

        if (cancellationToken == call.Token)
        {
            return await call.ReplyAsync().ConfigureAwait(false);
        }

        try
        {
            return await call.ReplyAsync().AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested || call.Token.IsCancellationRequested)
        {
            // Given up on here (a filter's deadline, or the client): make sure the server hears of it once.
            if (call.TryClaimServerCancellation())
            {
                await NotifyServerCancelledAsync(call.Id).ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>
    /// Turns the server's reply to a call into the result the pipeline sees. Server errors and input-required results end the call
    /// with the reply itself for the client; a result that does not decode ends it with an error. When no filter post-processes
    /// results, a response is not decoded at all: the pipeline sees <see cref="PassedThrough"/> and the client gets the response.
    /// </summary>
    internal static CallToolResult ReadResult(PendingCall call, JsonRpcMessage reply)
    {
        if (reply is JsonRpcError)
        {
            // Server errors reach the client unchanged; they are not tool results.
            call.PassThrough = reply;
            throw new McpPolicyToolException("The server answered the call with an error.");
        }

        if (call.PassResultThrough)
        {
            // Input-required results included: the client's retry is a new call, decided again.
            call.UndecodedReply = reply;
            return PassedThrough;
        }

        var response = (JsonRpcResponse)reply;
        CallToolResult? result;
        JsonException? malformed = null;
        try
        {
            result = ProtocolJson.Deserialize(response.Result, ProtocolJson.CallToolResult);
        }
        catch (JsonException ex)
        {
            result = null;
            malformed = ex;
        }

        // Decoded first, so the result's own node is never materialized to look for the result type.
        if (result is { ResultType: InputRequired } || (result is null && IsInputRequired(response.Result)))
        {
            // Multi round-trip: the client answers and sends the call again, which is decided again.
            call.PassThrough = reply;
            throw new McpPolicyToolException("The server asked for more input before it can complete the call.");
        }

        if (result is null)
        {
            call.ErrorCode = McpErrorCode.InternalError;
            throw new McpPolicyToolException("The server's result for the call is malformed.", malformed ?? new JsonException("The result is null."));
        }

        return result;
    }

    /// <summary>Tells the server a request was cancelled, in the background (best effort).</summary>
    internal void NotifyServerCancelled(RequestId id) => _ = NotifyServerCancelledAsync(id);

    private async Task NotifyServerCancelledAsync(RequestId id)
    {
        if (_closed)
        {
            return;
        }

        try
        {
            await _inner.SendMessageAsync(new JsonRpcNotification
            {
                Method = NotificationMethods.CancelledNotification,
                Params = JsonSerializer.SerializeToNode(new CancelledNotificationParams { RequestId = id }, ProtocolJson.CancelledNotificationParams),
            }).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Best effort: the call is over either way.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogCancellationNotSent(_logger, _owner.ServerId, ex);
        }
    }

    /// <summary>Loads the server's complete tool list through the inner transport, with request ids of its own.</summary>
    private async Task LoadCatalogAsync(JsonObject? requestMeta, CancellationToken cancellationToken)
    {
        await _catalog.LoadLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_catalog.Status == ToolCatalogStatus.Loaded)
            {
                return;
            }

            var generation = _catalog.Generation;
            using var deadline = new CancellationTokenSource(_owner.CatalogLoadTimeout, _owner.TimeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
            var meta = ProtocolMeta(requestMeta);
            var tools = new List<ToolDescriptor>();
            var cursors = new HashSet<string>(StringComparer.Ordinal);
            string? cursor = null;
            do
            {
                var result = await RequestToolsPageAsync(cursor, meta, linked.Token).ConfigureAwait(false);
                var page = ToolsPage.Read(result) ?? throw new InvalidDataException("The server's tools/list result has no tools array.");
                for (var i = 0; i < page.Tools.Length; i++)
                {
                    if (page.Tools[i] is { } tool)
                    {
                        tools.Add(tool);
                    }
                }

                cursor = page.NextCursor;
                if (cursor is not null && (!cursors.Add(cursor) || cursors.Count >= MaxCatalogPages))
                {
                    throw new InvalidDataException("The server's tools/list pagination does not end.");
                }
            }
            while (cursor is not null);

            _catalog.Replace(tools, generation);
            LogCatalogLoaded(_logger, _owner.ServerId, tools.Count);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // The call is still decided, with what the catalog holds (unknown tools block).
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogCatalogLoadFailed(_logger, _owner.ServerId, ex);
        }
        finally
        {
            _catalog.LoadLock.Release();
        }
    }

    /// <summary>The protocol's own <c>_meta</c> entries (protocol version, client info, capabilities) of the call that needs the list.</summary>
    private static JsonObject? ProtocolMeta(JsonObject? meta)
    {
        if (meta is null)
        {
            return null;
        }

        JsonObject? result = null;
        foreach (var property in meta)
        {
            if (property.Key.StartsWith(ProtocolMetaPrefix, StringComparison.Ordinal))
            {
                (result ??= [])[property.Key] = property.Value?.DeepClone();
            }
        }

        return result;
    }

    private async Task<JsonNode?> RequestToolsPageAsync(string? cursor, JsonObject? meta, CancellationToken cancellationToken)
    {
        var id = new RequestId(OwnRequestIdPrefix + Interlocked.Increment(ref s_ownRequestIds).ToString(CultureInfo.InvariantCulture));
        var reply = new TaskCompletionSource<JsonRpcMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!TryTrack(id, reply))
        {
            throw new InvalidOperationException("The gate's own request id is already in use.");
        }

        try
        {
            var parameters = new JsonObject();
            if (cursor is not null)
            {
                parameters["cursor"] = cursor;
            }

            if (meta is not null)
            {
                parameters["_meta"] = meta.DeepClone();
            }

            await _inner.SendMessageAsync(new JsonRpcRequest { Id = id, Method = RequestMethods.ToolsList, Params = parameters }, cancellationToken).ConfigureAwait(false);
            JsonRpcMessage message;
            try
            {
                message = await reply.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await NotifyServerCancelledAsync(id).ConfigureAwait(false);
                throw;
            }

            return message switch
            {
                JsonRpcResponse response => response.Result,
                JsonRpcError error => throw new InvalidOperationException($"The server refused tools/list ({error.Error.Code}: {error.Error.Message})."),
                _ => throw new InvalidOperationException("The server answered tools/list with an unexpected message."),
            };
        }
        finally
        {
            _outstanding.TryRemove(KeyValuePair.Create(id, (object)reply));
        }
    }

    private async Task ReadAsync()
    {
        Exception? failure = null;
        try
        {
            // No token: a cancellable wait allocates on every message. Disposing ends the loop (see DisposeAsync).
            var reader = _inner.MessageReader;
            while (!_closed && await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (!_closed && reader.TryRead(out var message))
                {
                    Route(message);
                }
            }
        }
#pragma warning disable CA1031 // The inner transport failed: pass its exception on to the client as the channel's completion.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            // Unless the client is disposing the connection: that ends it cleanly.
            failure = Volatile.Read(ref _disposed) == 0 ? ex : null;
        }
        finally
        {
            Close(failure);
        }
    }

    /// <summary>Fails whatever is pending and completes the client's channel; once (the reader, or a disposal the reader cannot see).</summary>
    private void Close(Exception? failure)
    {
        _closed = true;
        if (Interlocked.Exchange(ref _closeOnce, 1) != 0)
        {
            return;
        }

        // The client's channel completes first: a call failed below may finish on this thread, and its answer is not delivered.
        _incoming.Writer.TryComplete(failure);
        var closed = new IOException("The connection to the server closed before it answered.", failure);
        if (Interlocked.Exchange(ref _soleCall, null) is { } sole)
        {
            sole.TrySetReplyFailure(closed);
            sole.Abandon();
        }

        foreach (var pair in _outstanding)
        {
            switch (pair.Value)
            {
                case PendingCall call:
                    call.TrySetReplyFailure(closed);
                    call.Abandon();
                    break;
                case TaskCompletionSource<JsonRpcMessage> own:
                    own.TrySetException(closed);
                    break;
            }

            _outstanding.TryRemove(pair);
        }
    }

    /// <summary>
    /// Records a request in progress under its id: false when another request in progress has that id (a reply could not tell them
    /// apart). A call takes the sole-call slot when it is free, else the dictionary; each side checks the other after taking its place
    /// (both behind a full fence), so of two requests racing with one id at least one sees the other and is refused.
    /// </summary>
    private bool TryTrack(RequestId id, object entry)
    {
        if (entry is PendingCall call && Interlocked.CompareExchange(ref _soleCall, call, null) is null)
        {
            if (!_outstanding.ContainsKey(id))
            {
                return true;
            }

            Interlocked.CompareExchange(ref _soleCall, null, call);
            return false;
        }

        if (!_outstanding.TryAdd(id, entry))
        {
            return false;
        }

        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref _soleCall) is { } sole && !ReferenceEquals(sole, entry) && sole.Id.Equals(id))
        {
            _outstanding.TryRemove(KeyValuePair.Create(id, entry));
            return false;
        }

        return true;
    }

    /// <summary>Removes a call recorded by <see cref="TryTrack"/> (nothing if the connection's close already did).</summary>
    private void Untrack(PendingCall call)
    {
        if (Interlocked.CompareExchange(ref _soleCall, null, call) != call)
        {
            _outstanding.TryRemove(KeyValuePair.Create(call.Id, (object)call));
        }
    }

    /// <summary>The request in progress under <paramref name="id"/>.</summary>
    private bool TryGetOutstanding(RequestId id, [NotNullWhen(true)] out object? entry)
    {
        if (Volatile.Read(ref _soleCall) is { } sole && sole.Id.Equals(id))
        {
            entry = sole;
            return true;
        }

        return _outstanding.TryGetValue(id, out entry);
    }

    private void Route(JsonRpcMessage message)
    {
        try
        {
            if (message is JsonRpcResponse or JsonRpcError && message is JsonRpcMessageWithId { Id.Id: not null } reply)
            {
                RouteReply(reply);
                return;
            }

            if (message is JsonRpcNotification { Method: NotificationMethods.ToolListChangedNotification })
            {
                _catalog.MarkStale();
                LogToolListChanged(_logger, _owner.ServerId);
            }

            Deliver(message);
        }
#pragma warning disable CA1031 // One bad message must not stop the connection.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogRouteFailed(_logger, _owner.ServerId, ex);
        }
    }

    private void RouteReply(JsonRpcMessageWithId reply)
    {
        if (!TryGetOutstanding(reply.Id, out var entry))
        {
            LogUnsolicitedReply(_logger, _owner.ServerId, reply.Id.ToString());
            return;
        }

        switch (entry)
        {
            case PendingCall call:
                if (!call.IsSent || !call.TrySetReply(reply))
                {
                    LogUnsolicitedReply(_logger, _owner.ServerId, reply.Id.ToString());
                }

                return;
            case TaskCompletionSource<JsonRpcMessage> own:
                own.TrySetResult(reply);
                return;
            case HostListing listing:
                _outstanding.TryRemove(KeyValuePair.Create(reply.Id, entry));
                Deliver(reply is JsonRpcResponse response ? FilterListing(response, listing) : reply);
                return;
            default:
                _outstanding.TryRemove(KeyValuePair.Create(reply.Id, entry));
                Deliver(reply);
                return;
        }
    }

    /// <summary>Records a page of the host's own listing in the catalog and removes what the client must not see.</summary>
    private JsonRpcMessage FilterListing(JsonRpcResponse response, HostListing listing)
    {
        try
        {
            var page = ToolsPage.Read(response.Result);
            if (page is null)
            {
                return response;
            }

            var evaluator = _owner.Evaluator;
            var serverId = _owner.ServerId;
            var known = new List<ToolDescriptor>(page.Tools.Length);
            for (var i = page.Tools.Length - 1; i >= 0; i--)
            {
                var tool = page.Tools[i];
                var hide = tool is null || page.IsRepeated(tool.Name) || evaluator.GetListingRisk(serverId, tool) == RiskLevel.Block || !IsListable(serverId, tool);
                if (tool is not null)
                {
                    known.Add(tool);
                }

                if (hide)
                {
                    page.Array.RemoveAt(i);
                }
            }

            known.Reverse();
            if (listing.IsFirstPage)
            {
                _listing = new ListingInProgress(listing.Generation);
            }

            if (_listing is { } inProgress)
            {
                inProgress.Tools.AddRange(known);
                if (page.NextCursor is null)
                {
                    _catalog.Replace(inProgress.Tools, inProgress.Generation);
                    _listing = null;
                    return response;
                }
            }

            _catalog.Upsert(known);
            return response;
        }
#pragma warning disable CA1031 // Fail closed: a listing the gate could not check is not shown.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogListingFailed(_logger, _owner.ServerId, ex);
            return Error(response.Id, McpErrorCode.InternalError, "The policy gate could not check the server's tool list.");
        }
    }

    /// <summary>
    /// Asks every registered <see cref="IToolListingFilter"/> whether the client may see <paramref name="tool"/>. Judged from the listed
    /// definition before the page is recorded in the catalog; a filter that throws hides the tool.
    /// </summary>
    private bool IsListable(string serverId, ToolDescriptor tool)
    {
        var filters = _listingFilters ??= _owner.Services?.GetServices<IToolListingFilter>().ToArray() ?? [];
        foreach (var filter in filters)
        {
            try
            {
                if (!filter.IsListable(serverId, tool))
                {
                    return false;
                }
            }
#pragma warning disable CA1031 // Fail closed: a tool the filter could not judge is hidden.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogListingFilterFailed(_logger, serverId, tool.Name, filter.GetType().Name, ex);
                return false;
            }
        }

        return true;
    }

    private void Deliver(JsonRpcMessage message)
    {
        if (!_closed && _owner.DeliveryTap is { } tap && tap(message))
        {
            return;
        }

        if (!_incoming.Writer.TryWrite(message))
        {
            LogDroppedAfterClose(_logger, _owner.ServerId);
        }
    }

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "A tools/call request to server {ServerId} has no id; it was not sent.")]
    private static partial void LogCallWithoutId(ILogger logger, string serverId);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "Call {RequestId} to server {ServerId} repeats a property name or nests too deeply; it was denied.")]
    private static partial void LogAmbiguousCall(ILogger logger, string serverId, string requestId);

    [LoggerMessage(EventId = 103, Level = LogLevel.Error, Message = "The policy gate failed while handling a call to server {ServerId}; the call was not completed.")]
    private static partial void LogCallFailed(ILogger logger, string serverId, Exception exception);

    [LoggerMessage(EventId = 104, Level = LogLevel.Debug, Message = "Loaded {Count} tools of server {ServerId} for the policy catalog.")]
    private static partial void LogCatalogLoaded(ILogger logger, string serverId, int count);

    [LoggerMessage(EventId = 105, Level = LogLevel.Warning, Message = "Could not load the tool list of server {ServerId}; calls are decided with the catalog as it is (unknown tools are blocked).")]
    private static partial void LogCatalogLoadFailed(ILogger logger, string serverId, Exception exception);

    [LoggerMessage(EventId = 106, Level = LogLevel.Debug, Message = "Server {ServerId} says its tool list changed; the catalog is stale.")]
    private static partial void LogToolListChanged(ILogger logger, string serverId);

    [LoggerMessage(EventId = 107, Level = LogLevel.Warning, Message = "Dropped a response with id {RequestId} from server {ServerId}: no such request is waiting for one.")]
    private static partial void LogUnsolicitedReply(ILogger logger, string serverId, string requestId);

    [LoggerMessage(EventId = 108, Level = LogLevel.Error, Message = "Could not check the tool list of server {ServerId}; the client receives an error instead.")]
    private static partial void LogListingFailed(ILogger logger, string serverId, Exception exception);

    [LoggerMessage(EventId = 109, Level = LogLevel.Error, Message = "Could not handle a message from server {ServerId}; it was dropped.")]
    private static partial void LogRouteFailed(ILogger logger, string serverId, Exception exception);

    [LoggerMessage(EventId = 110, Level = LogLevel.Debug, Message = "A message from server {ServerId} arrived after the client transport closed; it was dropped.")]
    private static partial void LogDroppedAfterClose(ILogger logger, string serverId);

    [LoggerMessage(EventId = 111, Level = LogLevel.Debug, Message = "Could not tell server {ServerId} that a request was cancelled.")]
    private static partial void LogCancellationNotSent(ILogger logger, string serverId, Exception exception);

    [LoggerMessage(EventId = 112, Level = LogLevel.Error, Message = "Tool listing filter {Filter} failed for tool {Tool} of server {ServerId}; the tool is hidden from the listing.")]
    private static partial void LogListingFilterFailed(ILogger logger, string serverId, string tool, string filter, Exception exception);

    /// <summary>A <c>tools/list</c> request the client sent, waiting for its response.</summary>
    private sealed class HostListing
    {
        public HostListing(bool isFirstPage, int generation)
        {
            IsFirstPage = isFirstPage;
            Generation = generation;
        }

        public bool IsFirstPage { get; }

        public int Generation { get; }
    }

    /// <summary>The pages of a listing the client is walking, merged until the last page replaces the catalog.</summary>
    private sealed class ListingInProgress
    {
        public ListingInProgress(int generation)
        {
            Generation = generation;
        }

        public int Generation { get; }

        public List<ToolDescriptor> Tools { get; } = [];
    }
}
