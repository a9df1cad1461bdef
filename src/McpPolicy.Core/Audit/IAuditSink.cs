namespace McpPolicy;

/// <summary>
/// Receives audit records from the audit writer's single background loop, one at a time and in order. Register with
/// <c>AddAuditSink&lt;T&gt;()</c>. A sink that throws fails that record: for a HIGH or approved call this denies the call
/// (see <see cref="AuditOptions.DenyOnWriteFailure"/>).
/// </summary>
public interface IAuditSink
{
    /// <summary>Writes one record.</summary>
    /// <param name="record">The record.</param>
    /// <param name="cancellationToken">Cancelled when the host stops.</param>
    /// <returns>A task that completes when the record is written (not necessarily on disk).</returns>
    ValueTask WriteAsync(AuditRecord record, CancellationToken cancellationToken);

    /// <summary>Makes written records durable. Called after each batch the writer drains, and when idle.</summary>
    /// <param name="durable">True when a record of the batch must be on stable storage before its call may proceed.</param>
    /// <param name="cancellationToken">Cancelled when the host stops.</param>
    /// <returns>A task that completes when flushed.</returns>
    ValueTask FlushAsync(bool durable, CancellationToken cancellationToken);
}
