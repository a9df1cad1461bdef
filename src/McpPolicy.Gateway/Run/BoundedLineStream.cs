namespace McpPolicy.Gateway.Run;

/// <summary>
/// A read-only stream over a child's standard output that fails (as end of input, after calling <c>onOversized</c> once) when more than
/// <c>maxLineBytes</c> arrive without a line break, so the reader above it never buffers an unbounded line.
/// </summary>
internal sealed class BoundedLineStream : Stream
{
    private readonly Stream _inner;
    private readonly int _maxLineBytes;
    private readonly Action _onOversized;
    private long _sinceNewline;
    private bool _tripped;

    public BoundedLineStream(Stream inner, int maxLineBytes, Action onOversized)
    {
        _inner = inner;
        _maxLineBytes = maxLineBytes;
        _onOversized = onOversized;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_tripped)
        {
            return 0;
        }

        var read = _inner.Read(buffer);
        return Account(buffer[..read]);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_tripped)
        {
            return 0;
        }

        var read = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        return Account(buffer.Span[..read]);
    }

    private int Account(ReadOnlySpan<byte> data)
    {
        var last = data.LastIndexOf((byte)'\n');
        _sinceNewline = last >= 0 ? data.Length - last - 1 : _sinceNewline + data.Length;
        if (_sinceNewline > _maxLineBytes)
        {
            _tripped = true;
            _onOversized();
            return 0;
        }

        return data.Length;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
