using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Client;

/// <summary>
/// One <c>tools/call</c> between the client handing it to the transport and its response reaching the client: the request,
/// the call's cancellation, and the server's reply once the request was sent.
/// </summary>
internal sealed class PendingCall : IDisposable
{
    private const int Deciding = 0;
    private const int Sent = 1;
    private const int Abandoned = 2;

    private readonly CancellationTokenSource _cancellation = new();
    private CancellationTokenRegistration _clientCancellation;
    private int _state;
    private int _serverCancelled;

    public PendingCall(PolicySessionTransport transport, JsonRpcRequest request)
    {
        Transport = transport;
        Request = request;
    }

    public PolicySessionTransport Transport { get; }

    /// <summary>The request as the client sent it.</summary>
    public JsonRpcRequest Request { get; }

    public RequestId Id => Request.Id;

    /// <summary>The strictly parsed params, set once the call was read.</summary>
    public ToolCall Call { get; set; }

    /// <summary>Completed by the transport's reader with the server's response (or failed when the connection closes).</summary>
    public TaskCompletionSource<JsonRpcMessage> Reply { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Cancelled when the client cancels the call or the transport closes.</summary>
    public CancellationToken Token => _cancellation.Token;

    public bool IsSent => Volatile.Read(ref _state) == Sent;

    /// <summary>A server response to hand to the client unchanged (a JSON-RPC error, an input-required result).</summary>
    public JsonRpcMessage? PassThrough { get; set; }

    /// <summary>The JSON-RPC error code for a <see cref="McpPolicyToolException"/> that ends the call.</summary>
    public McpErrorCode ErrorCode { get; set; } = McpErrorCode.InvalidParams;

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
        Cancel();
        return previous == Sent;
    }

    /// <summary>True the first time it is called: the server should be told (once) that the call was cancelled.</summary>
    public bool TryClaimServerCancellation() => Interlocked.Exchange(ref _serverCancelled, 1) == 0;

    public void Cancel()
    {
        try
        {
            // Callbacks run on the thread pool, so the pipeline never unwinds on the thread that reported the cancellation.
            _ = _cancellation.CancelAsync();
        }
        catch (ObjectDisposedException)
        {
            // The call already ended.
        }
    }

    public void Dispose()
    {
        _clientCancellation.Dispose();
        _cancellation.Dispose();
    }
}
