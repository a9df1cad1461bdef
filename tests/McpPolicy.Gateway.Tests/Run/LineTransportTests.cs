using System.IO.Pipes;
using System.Text;
using System.Text.Json;
using McpPolicy.Gateway.Run;
using Microsoft.Extensions.Logging.Abstractions;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Gateway.Tests.Run;

/// <summary>The gateway's line transport over real operating-system pipes: framing, the line limit, garbage, end of input and concurrent sends.</summary>
public sealed class LineTransportTests
{
    private const string Ping = """{"jsonrpc":"2.0","id":1,"method":"ping"}""";

    [Fact]
    public async Task A_message_split_over_many_writes_arrives_once_and_whole()
    {
        await using var peer = new Peer();
        var bytes = Encoding.UTF8.GetBytes(Ping + "\n");
        foreach (var b in bytes)
        {
            await peer.WriteAsync([b]);
        }

        var message = Assert.IsType<JsonRpcRequest>(await peer.ReceiveAsync());
        Assert.Equal("ping", message.Method);
        Assert.Equal(new RequestId(1), message.Id);
    }

    [Fact]
    public async Task Several_messages_in_one_write_arrive_in_order_and_blank_lines_and_CRLF_are_tolerated()
    {
        await using var peer = new Peer();
        var text = new StringBuilder();
        for (var i = 0; i < 50; i++)
        {
            text.Append("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/n").Append(i).Append("\"}\r\n\n  \n");
        }

        await peer.WriteAsync(Encoding.UTF8.GetBytes(text.ToString()));
        for (var i = 0; i < 50; i++)
        {
            Assert.Equal("notifications/n" + i, Assert.IsType<JsonRpcNotification>(await peer.ReceiveAsync()).Method);
        }
    }

    [Fact]
    public async Task A_line_of_exactly_the_limit_is_accepted()
    {
        var line = PaddedPing(256);
        Assert.Equal(256, Encoding.UTF8.GetByteCount(line));
        var oversized = 0;
        await using var peer = new Peer(new LineTransportOptions { Name = "test", OwnsStreams = true, MaxLineBytes = 256, OnOversized = () => oversized++ });

        await peer.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"));

        Assert.IsType<JsonRpcRequest>(await peer.ReceiveAsync());
        Assert.Equal(0, oversized);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_line_one_byte_over_the_limit_ends_the_input_and_is_reported_once(bool withLineBreak)
    {
        var oversized = 0;
        await using var peer = new Peer(new LineTransportOptions { Name = "test", OwnsStreams = true, MaxLineBytes = 256, OnOversized = () => Interlocked.Increment(ref oversized) });

        await peer.WriteAsync(Encoding.UTF8.GetBytes(Ping + "\n"));
        await peer.WriteAsync(Encoding.UTF8.GetBytes(PaddedPing(257) + (withLineBreak ? "\n" : string.Empty)));
        await peer.WriteAsync(Encoding.UTF8.GetBytes(Ping + "\n"));

        Assert.IsType<JsonRpcRequest>(await peer.ReceiveAsync());
        await peer.Transport.MessageReader.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(peer.Transport.MessageReader.TryRead(out _));
        Assert.Equal(1, oversized);
    }

    [Fact]
    public async Task A_huge_line_without_a_break_is_cut_off_without_buffering_it_all()
    {
        var oversized = 0;
        await using var peer = new Peer(new LineTransportOptions { Name = "test", OwnsStreams = true, MaxLineBytes = 1024 * 1024, OnOversized = () => Interlocked.Increment(ref oversized) });
        var chunk = new byte[64 * 1024];
        chunk.AsSpan().Fill((byte)'x');

        // 64 MiB without a line break; the transport stops reading after 1 MiB, so the writer blocks until disposal breaks the pipe.
        var writing = Task.Run(async () =>
        {
            try
            {
                for (var i = 0; i < 1024; i++)
                {
                    await peer.WriteAsync(chunk);
                }
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
                // Disposal broke the pipe (or closed the test's end of it).
            }
        });

        await peer.Transport.MessageReader.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1, oversized);
        Assert.False(writing.IsCompleted);
        await peer.DisposeAsync();
        await writing.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task End_of_input_after_a_complete_message_without_a_line_break_delivers_it_then_completes()
    {
        await using var peer = new Peer();
        await peer.WriteAsync(Encoding.UTF8.GetBytes(Ping));
        peer.CloseInput();

        Assert.IsType<JsonRpcRequest>(await peer.ReceiveAsync());
        await peer.Transport.MessageReader.Completion.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task End_of_input_in_the_middle_of_a_message_drops_the_fragment_and_completes_cleanly()
    {
        await using var peer = new Peer();
        await peer.WriteAsync(Encoding.UTF8.GetBytes(Ping + "\n" + Ping[..20]));
        peer.CloseInput();

        Assert.IsType<JsonRpcRequest>(await peer.ReceiveAsync());
        await peer.Transport.MessageReader.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(peer.Transport.MessageReader.TryRead(out _));
    }

    [Fact]
    public async Task Garbage_is_skipped_and_an_unreadable_request_with_an_id_gets_a_parse_error_when_asked()
    {
        await using var peer = new Peer(new LineTransportOptions { Name = "test", OwnsStreams = true, ReplyToUnreadable = true });
        await peer.WriteAsync(Encoding.UTF8.GetBytes("this is not json\n{\"jsonrpc\":\"2.0\",\"id\":\"abc\",\"method\":7}\n[1,2]\n" + Ping + "\n"));

        Assert.IsType<JsonRpcRequest>(await peer.ReceiveAsync());
        var reply = JsonDocument.Parse(await peer.ReadOutputLineAsync()).RootElement;
        Assert.Equal("abc", reply.GetProperty("id").GetString());
        Assert.Equal((int)McpErrorCode.ParseError, reply.GetProperty("error").GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task A_client_side_transport_does_not_answer_garbage()
    {
        await using var peer = new Peer(new LineTransportOptions { Name = "test", OwnsStreams = true });
        await peer.WriteAsync(Encoding.UTF8.GetBytes("{\"jsonrpc\":\"2.0\",\"id\":\"abc\",\"method\":7}\n" + Ping + "\n"));

        Assert.IsType<JsonRpcRequest>(await peer.ReceiveAsync());
        await peer.Transport.SendMessageAsync(new JsonRpcNotification { Method = "notifications/marker" });
        Assert.Contains("notifications/marker", await peer.ReadOutputLineAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Concurrent_sends_each_write_one_whole_line(bool synchronousWrites)
    {
        await using var peer = new Peer(new LineTransportOptions { Name = "test", OwnsStreams = true, SynchronousWrites = synchronousWrites });
        var payload = new string('p', 20_000);
        var reading = Task.Run(async () =>
        {
            var seen = new HashSet<long>();
            for (var i = 0; i < 200; i++)
            {
                var line = JsonDocument.Parse(await peer.ReadOutputLineAsync()).RootElement;
                Assert.Equal(payload, line.GetProperty("params").GetProperty("text").GetString());
                Assert.True(seen.Add(line.GetProperty("id").GetInt64()));
            }

            return seen;
        });

        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(() => peer.Transport.SendMessageAsync(new JsonRpcRequest
        {
            Id = new RequestId(i),
            Method = "test/echo",
            Params = new System.Text.Json.Nodes.JsonObject { ["text"] = payload },
        }))));

        Assert.Equal(200, (await reading.WaitAsync(TimeSpan.FromSeconds(60))).Count);
    }

    [Fact]
    public async Task After_disposal_the_reader_is_complete_and_sending_fails()
    {
        var peer = new Peer();
        await peer.Transport.DisposeAsync();

        await peer.Transport.MessageReader.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        await Assert.ThrowsAsync<IOException>(() => peer.Transport.SendMessageAsync(new JsonRpcNotification { Method = "notifications/x" }));
        await peer.DisposeAsync();
    }

    [Theory]
    [InlineData("""{"id":"abc","method":7}""", true, "abc")]
    [InlineData("""{"params":{"a":[1,{"b":2}]},"id":42}""", true, "42")]
    [InlineData("""{"id":{"x":1}}""", false, null)]
    [InlineData("""{"method":"x"}""", false, null)]
    [InlineData("""not json""", false, null)]
    [InlineData("""[{"id":1}]""", false, null)]
    public void The_request_id_of_an_unreadable_line_is_found_only_at_the_top_level(string line, bool found, string? id)
    {
        Assert.Equal(found, LineTransport.TryReadRequestId(Encoding.UTF8.GetBytes(line), out var read));
        if (found)
        {
            Assert.Equal(id, read.ToString());
        }
    }

    private static string PaddedPing(int bytes)
    {
        var head = """{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":" """.TrimEnd();
        const string Tail = "\"}}";
        return head + new string('a', bytes - head.Length - Tail.Length) + Tail;
    }

    /// <summary>A transport between two real pipes: the test writes its input and reads its output.</summary>
    private sealed class Peer : IAsyncDisposable
    {
        private readonly AnonymousPipeServerStream _toTransport = new(PipeDirection.Out);
        private readonly AnonymousPipeServerStream _fromTransport = new(PipeDirection.In);
        private readonly StreamReader _output;

        public Peer(LineTransportOptions? options = null)
        {
            var input = new AnonymousPipeClientStream(PipeDirection.In, _toTransport.ClientSafePipeHandle);
            var output = new AnonymousPipeClientStream(PipeDirection.Out, _fromTransport.ClientSafePipeHandle);
            _output = new StreamReader(_fromTransport, Encoding.UTF8);
            Transport = new LineTransport(input, output, options ?? new LineTransportOptions { Name = "test", OwnsStreams = true }, NullLogger.Instance);
        }

        public LineTransport Transport { get; }

        public async Task WriteAsync(byte[] bytes)
        {
            await _toTransport.WriteAsync(bytes);
            await _toTransport.FlushAsync();
        }

        public void CloseInput() => _toTransport.Dispose();

        public async Task<JsonRpcMessage> ReceiveAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            return await Transport.MessageReader.ReadAsync(timeout.Token);
        }

        public async Task<string> ReadOutputLineAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            return await _output.ReadLineAsync(timeout.Token) ?? throw new EndOfStreamException("The transport's output ended.");
        }

        public async ValueTask DisposeAsync()
        {
            await Transport.DisposeAsync();
            _toTransport.Dispose();
            _output.Dispose();
            _fromTransport.Dispose();
        }
    }
}
