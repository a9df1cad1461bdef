namespace McpPolicy;

/// <summary>
/// Pipeline step <c>Decide + 50</c>: after the decision step cleared a HIGH or approved call and before the tool runs, writes the call's
/// <see cref="AuditRecordType.Intent"/> record and waits until it is flushed to stable storage. If that fails, the call is denied
/// (rule id <c>audit</c>) and never reaches the tool. Active only with <see cref="AuditOptions.DenyOnWriteFailure"/>.
/// </summary>
internal sealed class AuditGateFilter : IToolInvocationFilter
{
    /// <summary>Where the gate runs: after <see cref="ToolInvocationFilterOrder.Decide"/>, before <see cref="ToolInvocationFilterOrder.Inspect"/>.</summary>
    public const int GateOrder = ToolInvocationFilterOrder.Decide + 50;

    private readonly AuditWriter _writer;
    private readonly AuditRecordFactory _factory;
    private readonly AuditOptions _options;
    private readonly TimeProvider _time;

    public AuditGateFilter(AuditWriter writer, AuditRecordFactory factory, AuditOptions options, TimeProvider time)
    {
        _writer = writer;
        _factory = factory;
        _options = options;
        _time = time;
    }

    public int Order => GateOrder;

    public bool PostProcessesResults => false;

    public ValueTask InvokeAsync(ToolInvocationContext context, ToolInvocationDelegate next, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (!_options.DenyOnWriteFailure || !context.IsCleared || !IsHighOrApproved(context))
        {
            return next(context, cancellationToken);
        }

        return WriteThenInvokeAsync(context, next, cancellationToken);
    }

    internal static bool IsHighOrApproved(ToolInvocationContext context)
        => context.Approval is not null || context.Decision is { Risk: >= RiskLevel.High };

    private async ValueTask WriteThenInvokeAsync(ToolInvocationContext context, ToolInvocationDelegate next, CancellationToken cancellationToken)
    {
        var record = _factory.Create(context, AuditRecordType.Intent, _time.GetUtcNow(), TimeSpan.Zero, failed: false);
        try
        {
            await _writer.WriteDurableAsync(record, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // Fail closed: the call does not run without its record.
        catch (Exception)
#pragma warning restore CA1031
        {
            context.Result = Denials.Create("audit", "the audit record of this call could not be written, so it was not run");
            return;
        }

        await next(context, cancellationToken).ConfigureAwait(false);
    }
}
