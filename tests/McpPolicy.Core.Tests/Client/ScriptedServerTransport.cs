using System.Threading.Channels;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Core.Tests.Client;

/// <summary>An inner transport the test plays the server on: it sees what the gate sends and writes what the "server" answers.</summary>
internal sealed class ScriptedServerTransport : IClientTransport, ITransport
{
    public Channel<JsonRpcMessage> FromServer { get; } = Channel.CreateUnbounded<JsonRpcMessage>();

    public Channel<JsonRpcMessage> ToServer { get; } = Channel.CreateUnbounded<JsonRpcMessage>();

    public string Name => "scripted";

    public string? SessionId => null;

    public ChannelReader<JsonRpcMessage> MessageReader => FromServer.Reader;

    public Task<ITransport> ConnectAsync(CancellationToken cancellationToken = default) => Task.FromResult<ITransport>(this);

    public Task SendMessageAsync(JsonRpcMessage message, CancellationToken cancellationToken = default)
    {
        ToServer.Writer.TryWrite(message);
        return Task.CompletedTask;
    }

    public void Answer(JsonRpcMessage message) => FromServer.Writer.TryWrite(message);

    public async Task<JsonRpcMessage> NextSentAsync() => await ToServer.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));

    public ValueTask DisposeAsync()
    {
        FromServer.Writer.TryComplete();
        return ValueTask.CompletedTask;
    }
}
