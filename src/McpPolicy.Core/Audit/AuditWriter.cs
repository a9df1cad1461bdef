using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace McpPolicy;

/// <summary>
/// Moves audit records to the <see cref="IAuditSink"/>s on one background loop, in the order they were queued. Queuing is an
/// in-memory enqueue; <see cref="WriteDurableAsync"/> also waits until the record is written and flushed to stable storage.
/// Records that wait together are flushed together (group commit).
/// </summary>
public sealed partial class AuditWriter : IAsyncDisposable, IDisposable
{
    private readonly Channel<Entry> _channel;
    private readonly IAuditSink[] _sinks;
    private readonly AuditOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly AuditTelemetry? _telemetry;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Task _ticker;
    private int _dirty;
    private long _failures;
    private long _written;
    private int _disposed;

    /// <summary>Creates the writer and starts its loop.</summary>
    /// <param name="sinks">Where records go, in order.</param>
    /// <param name="options">The audit settings.</param>
    /// <param name="time">The clock for idle flushes.</param>
    /// <param name="logger">Receives write failures.</param>
    public AuditWriter(IEnumerable<IAuditSink> sinks, AuditOptions options, TimeProvider? time = null, ILogger<AuditWriter>? logger = null)
        : this(sinks, options, time, logger, null)
    {
    }

    internal AuditWriter(IEnumerable<IAuditSink> sinks, AuditOptions options, TimeProvider? time, ILogger<AuditWriter>? logger, AuditTelemetry? telemetry)
    {
        ArgumentNullException.ThrowIfNull(sinks);
        ArgumentNullException.ThrowIfNull(options);
        _sinks = sinks.ToArray();
        _options = options;
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _telemetry = telemetry;
        _channel = Channel.CreateBounded<Entry>(new BoundedChannelOptions(options.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
            AllowSynchronousContinuations = false,
        });
        _loop = Task.Run(RunAsync);
        _ticker = Task.Run(TickAsync);
    }

    /// <summary>The sinks records go to, in order.</summary>
    public IReadOnlyList<IAuditSink> Sinks => _sinks;

    /// <summary>Records whose write failed (in any sink) since start.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Records written to every sink since start.</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Queues a record. Completes at once unless the queue is full (then it waits for room rather than lose the record).</summary>
    /// <param name="record">The record.</param>
    /// <param name="cancellationToken">Cancels waiting for room.</param>
    /// <returns>A task that completes when queued.</returns>
    public ValueTask EnqueueAsync(AuditRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        var entry = new Entry(record, null);
        return _channel.Writer.TryWrite(entry) ? ValueTask.CompletedTask : _channel.Writer.WriteAsync(entry, cancellationToken);
    }

    /// <summary>Queues a record and waits until every sink wrote and durably flushed it.</summary>
    /// <param name="record">The record.</param>
    /// <param name="cancellationToken">Cancels the wait (the record may still be written).</param>
    /// <returns>A task that fails when any sink failed to write or flush the record.</returns>
    public async ValueTask WriteDurableAsync(AuditRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _channel.Writer.WriteAsync(new Entry(record, done), cancellationToken).ConfigureAwait(false);
        await done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits until every record queued so far is written and flushed.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when drained.</returns>
    public async ValueTask DrainAsync(CancellationToken cancellationToken = default)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _channel.Writer.WriteAsync(new Entry(null, done), cancellationToken).ConfigureAwait(false);
        await done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes what is queued, then disposes the sinks that are disposable (the file sink seals its file).</summary>
    /// <returns>A task that completes when done.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _channel.Writer.TryComplete();
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _ticker.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        foreach (var sink in _sinks)
        {
            if (sink is IAsyncDisposable asyncDisposable)
            {
                await asyncDisposable.DisposeAsync().ConfigureAwait(false);
            }
            else if (sink is IDisposable disposable)
            {
                disposable.Dispose();
            }
        }

        _stop.Dispose();
    }

    /// <summary>Synchronous form of <see cref="DisposeAsync"/>, for containers disposed synchronously.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task RunAsync()
    {
        var reader = _channel.Reader;
        var waiting = new List<TaskCompletionSource>();
        var failed = new List<(TaskCompletionSource Done, Exception Error)>();
        var token = _stop.Token;
        while (true)
        {
            if (!reader.TryPeek(out _))
            {
                if (!await reader.WaitToReadAsync(token).ConfigureAwait(false))
                {
                    break;
                }

                continue;
            }

            var durable = false;
            var wrote = false;
            while (reader.TryRead(out var entry))
            {
                if (entry.Record is null)
                {
                    // A drain request waits for a durable flush; a tick (no waiter) only asks for the periodic flush below.
                    if (entry.Done is not null)
                    {
                        waiting.Add(entry.Done);
                        durable = true;
                    }

                    continue;
                }

                wrote = true;

                var error = Write(entry.Record, token);
                if (error is not null)
                {
                    if (entry.Done is not null)
                    {
                        failed.Add((entry.Done, error));
                    }
                }
                else if (entry.Done is not null)
                {
                    waiting.Add(entry.Done);
                    durable = true;
                }

                if (waiting.Count >= 256)
                {
                    break;
                }
            }

            // Two ticks after the last write: by the second, an interval has passed since any earlier fsync, so the sink syncs.
            Volatile.Write(ref _dirty, wrote ? 2 : Math.Max(0, _dirty - 1));
            var flushError = await FlushAsync(durable, token).ConfigureAwait(false);
            foreach (var done in waiting)
            {
                if (flushError is null)
                {
                    done.TrySetResult();
                }
                else
                {
                    done.TrySetException(flushError);
                }
            }

            foreach (var (done, error) in failed)
            {
                done.TrySetException(error);
            }

            waiting.Clear();
            failed.Clear();
        }

        await FlushAsync(durable: true, token).ConfigureAwait(false);
    }

    /// <summary>
    /// While records were written since the last flush, posts a tick every <see cref="AuditOptions.FsyncInterval"/>, so the loop
    /// flushes (interval fsync, time-based checkpoints) even when no new record arrives. Idle, it posts nothing.
    /// </summary>
    private async Task TickAsync()
    {
        using var timer = new PeriodicTimer(_options.FsyncInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                if (Volatile.Read(ref _dirty) != 0)
                {
                    _channel.Writer.TryWrite(new Entry(null, null));
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private Exception? Write(AuditRecord record, CancellationToken token)
    {
        Exception? failure = null;
        foreach (var sink in _sinks)
        {
            try
            {
                var pending = sink.WriteAsync(record, token);
                if (!pending.IsCompletedSuccessfully)
                {
                    pending.AsTask().GetAwaiter().GetResult();
                }
            }
#pragma warning disable CA1031 // A sink failure fails the record (and, for a durable record, its call); the loop keeps running.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                failure ??= ex;
                LogSinkFailed(_logger, sink.GetType().Name, record.ServerId, record.Tool, ex);
            }
        }

        if (failure is null)
        {
            Interlocked.Increment(ref _written);
        }
        else
        {
            Interlocked.Increment(ref _failures);
            _telemetry?.WriteFailed();
        }

        return failure;
    }

    private async ValueTask<Exception?> FlushAsync(bool durable, CancellationToken token)
    {
        Exception? failure = null;
        foreach (var sink in _sinks)
        {
            try
            {
                await sink.FlushAsync(durable, token).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // As in Write.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                failure ??= ex;
                LogSinkFailed(_logger, sink.GetType().Name, "-", "flush", ex);
            }
        }

        if (failure is not null)
        {
            _telemetry?.WriteFailed();
        }

        return failure;
    }

    private readonly record struct Entry(AuditRecord? Record, TaskCompletionSource? Done);

    [LoggerMessage(EventId = 810, Level = LogLevel.Error, Message = "Audit sink {Sink} failed to write the record of {Server}/{Tool}.")]
    private static partial void LogSinkFailed(ILogger logger, string sink, string server, string tool, Exception exception);
}
