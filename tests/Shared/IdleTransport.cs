using System.Threading.Channels;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Tests.TestSupport;

/// <summary>A transport that never delivers anything and accepts every send: for an <c>McpServer</c> a test only needs as an object.</summary>
internal sealed class IdleTransport : ITransport
{
    private readonly Channel<JsonRpcMessage> _incoming = Channel.CreateUnbounded<JsonRpcMessage>();

    public string? SessionId => null;

    public ChannelReader<JsonRpcMessage> MessageReader => _incoming.Reader;

    public Task SendMessageAsync(JsonRpcMessage message, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public ValueTask DisposeAsync()
    {
        _incoming.Writer.TryComplete();
        return default;
    }
}
