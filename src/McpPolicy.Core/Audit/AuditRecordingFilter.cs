using System.Diagnostics;

namespace McpPolicy;

/// <summary>
/// Pipeline step <see cref="ToolInvocationFilterOrder.Record"/> (outermost): times the call, opens its span, and once the rest of the
/// pipeline is done builds the call's <see cref="AuditRecordType.Decision"/> record. A LOW/MEDIUM call's record is queued (an in-memory
/// enqueue). A HIGH or approved call that reached the tool has its record written and flushed before the result is released; if that
/// fails and <see cref="AuditOptions.DenyOnWriteFailure"/> is on, the result is withheld (replaced by a denial with rule id <c>audit</c>).
/// </summary>
internal sealed class AuditRecordingFilter : IToolInvocationFilter
{
    private readonly AuditWriter _writer;
    private readonly AuditRecordFactory _factory;
    private readonly AuditTelemetry _telemetry;
    private readonly AuditOptions _options;
    private readonly TimeProvider _time;

    public AuditRecordingFilter(AuditWriter writer, AuditRecordFactory factory, AuditTelemetry telemetry, AuditOptions options, TimeProvider time)
    {
        _writer = writer;
        _factory = factory;
        _telemetry = telemetry;
        _options = options;
        _time = time;
    }

    public int Order => ToolInvocationFilterOrder.Record;

    /// <remarks>True: the record states the result's <c>isError</c> and size, so on the host side the result is decoded.</remarks>
    public bool PostProcessesResults => true;

    public ValueTask InvokeAsync(ToolInvocationContext context, ToolInvocationDelegate next, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var started = _time.GetTimestamp();
        var activity = _telemetry.Start(context);
        ValueTask pending;
        try
        {
            pending = next(context, cancellationToken);
        }
#pragma warning disable CA1031 // Recorded, then rethrown to the pipeline, which turns it into a denial.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            pending = ValueTask.FromException(ex);
        }

        if (pending.IsCompletedSuccessfully && !NeedsDurableRecord(context))
        {
            var record = Finish(context, started, activity, failed: false);
            return _writer.EnqueueAsync(record, CancellationToken.None);
        }

        return AwaitAsync(pending, context, started, activity, cancellationToken);
    }

    private async ValueTask AwaitAsync(ValueTask pending, ToolInvocationContext context, long started, Activity? activity, CancellationToken cancellationToken)
    {
        try
        {
            await pending.ConfigureAwait(false);
        }
        catch (Exception)
        {
            await _writer.EnqueueAsync(Finish(context, started, activity, failed: true), CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        var record = Finish(context, started, activity, failed: false);
        if (!NeedsDurableRecord(context))
        {
            await _writer.EnqueueAsync(record, CancellationToken.None).ConfigureAwait(false);
            return;
        }

        try
        {
            await _writer.WriteDurableAsync(record, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // Fail closed: a HIGH or approved result is not released without its record.
        catch (Exception)
#pragma warning restore CA1031
        {
            context.Result = Denials.Create("audit", "the audit record of this call could not be written, so its result is withheld");
        }
    }

    private bool NeedsDurableRecord(ToolInvocationContext context)
        => _options.DenyOnWriteFailure && context.ToolInvoked && AuditGateFilter.IsHighOrApproved(context);

    private AuditRecord Finish(ToolInvocationContext context, long started, Activity? activity, bool failed)
    {
        var record = _factory.Create(context, AuditRecordType.Decision, _time.GetUtcNow(), _time.GetElapsedTime(started), failed);
        _telemetry.Complete(activity, record);
        return record;
    }
}
