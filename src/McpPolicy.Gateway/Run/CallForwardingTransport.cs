using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Gateway.Run;

/// <summary>
/// The upstream transport as the gateway's MCP server sees it: every incoming message is first offered to <c>take</c>, and a message it
/// takes (a <c>tools/call</c> the gateway forwards itself, or the cancellation of one) never reaches the server. Nothing is queued twice: the
/// server's read loop pulls from the inner transport's reader through this one, so a taken message costs no extra hop either.
/// </summary>
internal sealed class CallForwardingTransport : ITransport
{
    private readonly ITransport _inner;
    private readonly FilteringReader _reader;

    /// <param name="inner">The upstream connection.</param>
    /// <param name="take">Returns true when it has taken the message (it is then the taker's to answer); called on the server's read loop.</param>
    public CallForwardingTransport(ITransport inner, Func<JsonRpcMessage, bool> take)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(take);
        _inner = inner;
        _reader = new FilteringReader(inner.MessageReader, take);
    }

    /// <inheritdoc />
    public string? SessionId => _inner.SessionId;

    /// <inheritdoc />
    public ChannelReader<JsonRpcMessage> MessageReader => _reader;

    /// <inheritdoc />
    public Task SendMessageAsync(JsonRpcMessage message, CancellationToken cancellationToken = default) => _inner.SendMessageAsync(message, cancellationToken);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _inner.DisposeAsync();

    private sealed class FilteringReader : ChannelReader<JsonRpcMessage>
    {
        private readonly ChannelReader<JsonRpcMessage> _inner;
        private readonly Func<JsonRpcMessage, bool> _take;

        public FilteringReader(ChannelReader<JsonRpcMessage> inner, Func<JsonRpcMessage, bool> take)
        {
            _inner = inner;
            _take = take;
        }

        public override Task Completion => _inner.Completion;

        public override bool TryRead([MaybeNullWhen(false)] out JsonRpcMessage item)
        {
            while (_inner.TryRead(out item))
            {
                if (!_take(item))
                {
                    return true;
                }
            }

            item = null;
            return false;
        }

        public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default) => _inner.WaitToReadAsync(cancellationToken);
    }
}
