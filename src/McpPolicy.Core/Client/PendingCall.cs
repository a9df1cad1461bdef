using System.Threading.Tasks.Sources;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Client;

/// <summary>
/// One <c>tools/call</c> between the client handing it to the transport and its response reaching the client: the request,
/// the call's cancellation, and the server's reply once the request was sent.
/// </summary>
/// <remarks>
/// The call is itself what the pipeline awaits for the server's result (<see cref="ReplyAsync"/>): the reply is completed once
/// (by the reader, a closing connection or a cancellation) and read once, decoded by <see cref="PolicySessionTransport"/> on the
/// thread that continues the pipeline (or kept undecoded, when no filter post-processes results). As the pipeline's direct invoker it is
/// awaited as a plain <see cref="ValueTask"/> and stores the result in <see cref="Context"/>. A call is never reused, so a value task over
/// it cannot observe another call. The call is its own cancellation source (one object per call instead of two): its
/// <see cref="CancellationTokenSource.Token"/> is cancelled when the client cancels the call or the transport closes.
/// </remarks>
internal sealed class PendingCall : CancellationTokenSource, IValueTaskSource<CallToolResult>, IValueTaskSource
{
    private const int Deciding = 0;
    private const int Sent = 1;
    private const int Abandoned = 2;

    private CancellationTokenRegistration _clientCancellation;
    private ManualResetValueTaskSourceCore<JsonRpcMessage> _reply;
    private int _state;
    private int _replied;
    private int _serverCancelled;

    /// <param name="transport">The session the call belongs to.</param>
    /// <param name="request">The request as the client sent it.</param>
    /// <param name="inlineReply">
    /// True when the pipeline's remaining work after the server answers is bounded and ours alone (no registered filter runs
    /// after the tool): the reply then completes the call on the transport's reader, without a hop to the thread pool.
    /// </param>
    /// <param name="passResultThrough">
    /// True when no filter post-processes results: the server's response is handed to the client as it came, not decoded.
    /// </param>
    public PendingCall(PolicySessionTransport transport, JsonRpcRequest request, bool inlineReply, bool passResultThrough)
    {
        Transport = transport;
        Request = request;
        PassResultThrough = passResultThrough;
        _reply.RunContinuationsAsynchronously = !inlineReply;
    }

    /// <summary>True when the server's response is not decoded: the pipeline sees a placeholder and the client gets the response.</summary>
    public bool PassResultThrough { get; }

    public PolicySessionTransport Transport { get; }

    /// <summary>The request as the client sent it.</summary>
    public JsonRpcRequest Request { get; }

    public RequestId Id => Request.Id;

    /// <summary>The pipeline's context for the call, set once the call was read.</summary>
    public ToolInvocationContext? Context { get; set; }

    /// <summary>The strictly parsed params, set once the call was read.</summary>
    public ToolCall Call { get; set; }

    public bool IsSent => Volatile.Read(ref _state) == Sent;

    /// <summary>A server response to hand to the client unchanged (a JSON-RPC error, an input-required result).</summary>
    public JsonRpcMessage? PassThrough { get; set; }

    /// <summary>The server's response when <see cref="PassResultThrough"/> is set: handed to the client if the pipeline keeps the placeholder.</summary>
    public JsonRpcMessage? UndecodedReply { get; set; }

    /// <summary>The JSON-RPC error code for a <see cref="McpPolicyToolException"/> that ends the call.</summary>
    public McpErrorCode ErrorCode { get; set; } = McpErrorCode.InvalidParams;

    /// <summary>
    /// The server's result, decoded: completes with the reply, fails when the connection closes first, is cancelled with the
    /// call (so it needs no cancellation registration of its own). Awaited once.
    /// </summary>
    public ValueTask<CallToolResult> ReplyAsync() => new(this, _reply.Version);

    /// <summary><see cref="ReplyAsync"/> that stores the result in the call's <see cref="Context"/> itself (the pipeline's direct invoker).</summary>
    public ValueTask ReplyIntoContextAsync() => new(this, _reply.Version);

    /// <summary>Hands the server's reply to the call; false when the call already has one (or failed).</summary>
    public bool TrySetReply(JsonRpcMessage reply)
    {
        if (Interlocked.Exchange(ref _replied, 1) != 0)
        {
            return false;
        }

        _reply.SetResult(reply);
        return true;
    }

    /// <summary>Fails the wait for the reply (the connection closed, or the call was cancelled).</summary>
    public bool TrySetReplyFailure(Exception failure)
    {
        if (Interlocked.Exchange(ref _replied, 1) != 0)
        {
            return false;
        }

        _reply.SetException(failure);
        return true;
    }

    /// <summary>
    /// Ties the call to the token the client passed with the request: the MCP client (2.3.1) does not send
    /// <c>notifications/cancelled</c> when a caller cancels, so the gate abandons the call (and tells the server) itself.
    /// </summary>
    public void WatchClientCancellation(CancellationToken cancellationToken)
    {
        if (cancellationToken.CanBeCanceled)
        {
            _clientCancellation = cancellationToken.UnsafeRegister(static state => ((PendingCall)state!).Transport.OnClientCancelled((PendingCall)state!), this);
        }
    }

    /// <summary>Moves the call to "sent"; false when it was abandoned (cancelled) or already sent.</summary>
    public bool TryMarkSent() => Interlocked.CompareExchange(ref _state, Sent, Deciding) == Deciding;

    /// <summary>Abandons the call and cancels its work. Returns true when the request had already reached the server.</summary>
    public bool Abandon()
    {
        var previous = Interlocked.CompareExchange(ref _state, Abandoned, Deciding);
        CancelCall();
        return previous == Sent;
    }

    /// <summary>True the first time it is called: the server should be told (once) that the call was cancelled.</summary>
    public bool TryClaimServerCancellation() => Interlocked.Exchange(ref _serverCancelled, 1) == 0;

    /// <summary>Cancels the call's work (its token) and fails the wait for the reply, both on the thread pool.</summary>
    public void CancelCall()
    {
        CancellationToken token;
        try
        {
            // Callbacks run on the thread pool, so the pipeline never unwinds on the thread that reported the cancellation.
            token = Token;
            _ = CancelAsync();
        }
        catch (ObjectDisposedException)
        {
            // The call already ended.
            return;
        }

        if (Volatile.Read(ref _replied) == 0)
        {
            // The token is cancelled by now; the wait for the reply follows on the thread pool, for the same reason.
            ThreadPool.UnsafeQueueUserWorkItem(
                static state => state.Call.TrySetReplyFailure(new OperationCanceledException(state.Token)),
                (Call: this, Token: token),
                preferLocal: false);
        }
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _clientCancellation.Dispose();
        }

        base.Dispose(disposing);
    }

    CallToolResult IValueTaskSource<CallToolResult>.GetResult(short token)
    {
        JsonRpcMessage reply;
        try
        {
            reply = _reply.GetResult(token);
        }
        catch (OperationCanceledException)
        {
            // Cancelled with the call: the server hears of it (once) where it already has the request.
            if (TryClaimServerCancellation())
            {
                Transport.NotifyServerCancelled(Id);
            }

            throw;
        }
        catch (Exception ex)
        {
            ErrorCode = McpErrorCode.InternalError;
            throw new McpPolicyToolException("The connection to the server closed before it answered the call.", ex);
        }

        return PolicySessionTransport.ReadResult(this, reply);
    }

    void IValueTaskSource.GetResult(short token) => Context!.Result = ((IValueTaskSource<CallToolResult>)this).GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _reply.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        => _reply.OnCompleted(continuation, state, token, flags);

    ValueTaskSourceStatus IValueTaskSource<CallToolResult>.GetStatus(short token) => _reply.GetStatus(token);

    void IValueTaskSource<CallToolResult>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        => _reply.OnCompleted(continuation, state, token, flags);
}
