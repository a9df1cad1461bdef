using System.Threading.Channels;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Benchmarks;

/// <summary>
/// The floor of a host-side gate: wraps a client transport and forwards every message unchanged, outgoing directly and incoming
/// through a channel of its own filled by a reader loop (the structure a gate needs to see responses before the client does).
/// </summary>
internal sealed class PassThroughClientTransport(IClientTransport inner) : IClientTransport
{
    public string Name => inner.Name;

    public async Task<ITransport> ConnectAsync(CancellationToken cancellationToken = default)
        => new Session(await inner.ConnectAsync(cancellationToken).ConfigureAwait(false));

    private sealed class Session : ITransport
    {
        private readonly ITransport _inner;
        private readonly Channel<JsonRpcMessage> _incoming = Channel.CreateUnbounded<JsonRpcMessage>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = false });
        private readonly Task _reader;

        public Session(ITransport inner)
        {
            _inner = inner;
            _reader = ReadAsync();
        }

        public string? SessionId => _inner.SessionId;

        public ChannelReader<JsonRpcMessage> MessageReader => _incoming.Reader;

        public Task SendMessageAsync(JsonRpcMessage message, CancellationToken cancellationToken = default)
            => _inner.SendMessageAsync(message, cancellationToken);

        public async ValueTask DisposeAsync()
        {
            // Disposing the inner transport completes its channel, which ends the reader.
            await _inner.DisposeAsync().ConfigureAwait(false);
            await _reader.ConfigureAwait(false);
        }

        private async Task ReadAsync()
        {
            Exception? failure = null;
            try
            {
                // Waits without a token, as PolicySessionTransport does (a cancellable wait allocates per message).
                var reader = _inner.MessageReader;
                while (await reader.WaitToReadAsync().ConfigureAwait(false))
                {
                    while (reader.TryRead(out var message))
                    {
                        _incoming.Writer.TryWrite(message);
                    }
                }
            }
#pragma warning disable CA1031 // Handed to the client as the channel's completion.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                failure = ex;
            }

            _incoming.Writer.TryComplete(failure);
        }
    }
}
