using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Gateway.Run;

/// <summary>
/// MCP over a pair of byte streams, one JSON-RPC message per line, with the fewest thread hops the gateway can have: a dedicated thread
/// reads the input with blocking reads, splits lines and decodes each message on that thread, and a send writes the whole encoded line
/// (message and line break) with one write, without a separate flush. A line longer than the limit ends the input (after calling
/// <c>onOversized</c> once) instead of growing a buffer without bound; a line that is not a JSON-RPC message is logged and skipped, and when
/// <see cref="LineTransportOptions.ReplyToUnreadable"/> is set and its request id can be read, answered with a JSON-RPC parse error.
/// </summary>
/// <remarks>
/// The SDK's stream transports read with async reads (on Unix, a console or pipe read is a thread-pool work item or an epoll wake-up and a
/// thread-pool hop), write the message and the line break separately and then await a flush, which a pipe or console stream runs as one
/// more thread-pool work item; each hop costs tens of microseconds on a busy two-core machine, and a forwarded call crosses four streams.
/// </remarks>
internal sealed partial class LineTransport : ITransport
{
    private const int ReadBufferBytes = 64 * 1024;

    private static readonly JsonTypeInfo<JsonRpcMessage> MessageType = (JsonTypeInfo<JsonRpcMessage>)McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(JsonRpcMessage));

    private readonly Stream _input;
    private readonly Stream _output;
    private readonly LineTransportOptions _options;
    private readonly ILogger _logger;
    private readonly Channel<JsonRpcMessage> _incoming = Channel.CreateUnbounded<JsonRpcMessage>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true, AllowSynchronousContinuations = true });
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly ArrayBufferWriter<byte> _sendBuffer = new(4096);
    private readonly Utf8JsonWriter _sendWriter;
    private readonly Thread _reader;
    private int _disposed;

    /// <summary>Starts reading <paramref name="input"/> on a dedicated background thread.</summary>
    public LineTransport(Stream input, Stream output, LineTransportOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxLineBytes, 1);
        _input = input;
        _output = output;
        _options = options;
        _logger = logger;
        _sendWriter = new Utf8JsonWriter(_sendBuffer, new JsonWriterOptions { Encoder = McpJsonUtilities.DefaultOptions.Encoder, SkipValidation = true });
        _reader = new Thread(ReadLoop) { IsBackground = true, Name = "mcp-policy " + options.Name + " reader" };
        _reader.Start();
    }

    /// <inheritdoc />
    public string? SessionId => null;

    /// <inheritdoc />
    public ChannelReader<JsonRpcMessage> MessageReader => _incoming.Reader;

    /// <summary>Writes <paramref name="message"/> as one line. Sends are serialized; a failed write ends the transport.</summary>
    /// <exception cref="IOException">The transport is closed or the write failed.</exception>
    public async Task SendMessageAsync(JsonRpcMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (Volatile.Read(ref _disposed) != 0)
        {
            throw new IOException($"The {_options.Name} connection is closed.");
        }

        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _sendBuffer.ResetWrittenCount();
            _sendWriter.Reset(_sendBuffer);
            JsonSerializer.Serialize(_sendWriter, message, MessageType);
            _sendWriter.Flush();
            _sendBuffer.GetSpan(1)[0] = (byte)'\n';
            _sendBuffer.Advance(1);
            if (_options.SynchronousWrites)
            {
                _output.Write(_sendBuffer.WrittenSpan);
            }
            else
            {
                await _output.WriteAsync(_sendBuffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or NotSupportedException)
        {
            LogSendFailed(_logger, _options.Name, ex.Message);
            throw new IOException($"Could not write to the {_options.Name} connection: {ex.Message}", ex);
        }
        finally
        {
            // Large messages must not keep their buffer for the rest of the session.
            if (_sendBuffer.Capacity > 1024 * 1024)
            {
                _sendBuffer.Clear();
            }

            _sendLock.Release();
        }
    }

    /// <summary>Completes the incoming channel and, when the transport owns them, closes both streams (which ends a blocked read).</summary>
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return ValueTask.CompletedTask;
        }

        _incoming.Writer.TryComplete();
        if (_options.OwnsStreams)
        {
            _output.Dispose();

            // Closing a stream under a blocked read can block until the read returns (a pipe's socket); the reader closes it on its way out.
            if (!_reader.IsAlive)
            {
                _input.Dispose();
            }
        }

        return ValueTask.CompletedTask;
    }

    private void ReadLoop()
    {
        Exception? failure = null;
        var buffer = new byte[ReadBufferBytes];
        var partial = new ArrayBufferWriter<byte>();
        try
        {
            while (Volatile.Read(ref _disposed) == 0)
            {
                var read = _input.Read(buffer, 0, buffer.Length);
                if (read == 0)
                {
                    // End of input: a last line without a line break is still a message (as the SDK's line reader has it).
                    if (partial.WrittenCount > 0)
                    {
                        Deliver(partial.WrittenSpan);
                    }

                    break;
                }

                var data = buffer.AsSpan(0, read);
                int newline;
                while ((newline = data.IndexOf((byte)'\n')) >= 0)
                {
                    if (partial.WrittenCount + newline > _options.MaxLineBytes)
                    {
                        Oversized();
                        return;
                    }

                    if (partial.WrittenCount == 0)
                    {
                        Deliver(data[..newline]);
                    }
                    else
                    {
                        partial.Write(data[..newline]);
                        Deliver(partial.WrittenSpan);
                        partial.Clear();
                    }

                    data = data[(newline + 1)..];
                }

                if (partial.WrittenCount + data.Length > _options.MaxLineBytes)
                {
                    Oversized();
                    return;
                }

                partial.Write(data);
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException)
        {
            // Disposing closes the input under a blocked read; anything else is a failure of the connection.
            failure = Volatile.Read(ref _disposed) == 0 ? ex : null;
        }

        finally
        {
            if (_options.OwnsStreams && Volatile.Read(ref _disposed) != 0)
            {
                _input.Dispose();
            }
        }

        _incoming.Writer.TryComplete(failure);
    }

    private void Oversized()
    {
        LogOversized(_logger, _options.Name, _options.MaxLineBytes);
        _options.OnOversized?.Invoke();
        _incoming.Writer.TryComplete();
    }

    private void Deliver(ReadOnlySpan<byte> line)
    {
        line = line.Trim(" \t\r"u8);
        if (line.IsEmpty)
        {
            return;
        }

        JsonRpcMessage? message;
        try
        {
            message = JsonSerializer.Deserialize(line, MessageType);
        }
        catch (JsonException ex)
        {
            LogUnreadable(_logger, _options.Name, ex.Message);
            if (_options.ReplyToUnreadable && TryReadRequestId(line, out var id))
            {
                // Not on this thread: a blocking write here would stop reading, and the peer may be blocked writing to us.
                _ = Task.Run(() => ReplyParseErrorAsync(id));
            }

            return;
        }

        if (message is null)
        {
            LogUnreadable(_logger, _options.Name, "the line is JSON null");
            return;
        }

        _incoming.Writer.TryWrite(message);
    }

    private async Task ReplyParseErrorAsync(RequestId id)
    {
        try
        {
            await SendMessageAsync(new JsonRpcError
            {
                Id = id,
                Error = new JsonRpcErrorDetail { Code = (int)McpErrorCode.ParseError, Message = "The message is not a valid JSON-RPC message." },
            }).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // The connection is gone; the send failure was logged.
        }
    }

    /// <summary>Reads a top-level string or integer <c>id</c> from a line that did not decode as a message, skipping every other value.</summary>
    internal static bool TryReadRequestId(ReadOnlySpan<byte> line, out RequestId id)
    {
        id = default;
        try
        {
            var reader = new Utf8JsonReader(line, new JsonReaderOptions { MaxDepth = 4096 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isId = reader.ValueTextEquals("id"u8);
                if (!reader.Read())
                {
                    return false;
                }

                if (isId)
                {
                    switch (reader.TokenType)
                    {
                        case JsonTokenType.String:
                            id = new RequestId(reader.GetString()!);
                            return true;
                        case JsonTokenType.Number when reader.TryGetInt64(out var number):
                            id = new RequestId(number);
                            return true;
                        default:
                            return false;
                    }
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // Too malformed to find an id: nothing to answer.
        }

        return false;
    }

    [LoggerMessage(EventId = 9202, Level = LogLevel.Error, Message = "The {Connection} connection sent more than {Limit} bytes without a line break; closing it.")]
    private static partial void LogOversized(ILogger logger, string connection, int limit);

    [LoggerMessage(EventId = 9211, Level = LogLevel.Warning, Message = "The {Connection} connection sent a line that is not a JSON-RPC message; it was skipped: {Reason}")]
    private static partial void LogUnreadable(ILogger logger, string connection, string reason);

    [LoggerMessage(EventId = 9212, Level = LogLevel.Warning, Message = "Writing to the {Connection} connection failed: {Reason}")]
    private static partial void LogSendFailed(ILogger logger, string connection, string reason);
}

/// <summary>How a <see cref="LineTransport"/> treats its streams.</summary>
internal sealed class LineTransportOptions
{
    /// <summary>Names the connection in logs and errors ("upstream", or the child's server id).</summary>
    public required string Name { get; init; }

    /// <summary>The longest line accepted; a longer one ends the input.</summary>
    public int MaxLineBytes { get; init; } = ChildProcessTransport.MaxLineBytes;

    /// <summary>Called once when a line is over <see cref="MaxLineBytes"/>, before the input ends.</summary>
    public Action? OnOversized { get; init; }

    /// <summary>Answer an undecodable request whose id can be read with a JSON-RPC parse error (a server's duty; a client's transport does not).</summary>
    public bool ReplyToUnreadable { get; init; }

    /// <summary>
    /// Write with a blocking write (for standard output, whose async write is a thread-pool work item) instead of an async one (for a pipe,
    /// whose async write completes at once while there is room and waits without a thread when there is not).
    /// </summary>
    public bool SynchronousWrites { get; init; }

    /// <summary>Dispose closes the streams.</summary>
    public bool OwnsStreams { get; init; }
}
