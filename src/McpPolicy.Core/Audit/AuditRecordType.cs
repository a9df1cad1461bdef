namespace McpPolicy;

/// <summary>The kind of an audit record.</summary>
public enum AuditRecordType
{
    /// <summary>The one record of a finished call: the decision, the outcome and the result status.</summary>
    Decision = 0,

    /// <summary>
    /// Written and flushed before a HIGH or approved call reaches the tool (when <see cref="AuditOptions.DenyOnWriteFailure"/> is on):
    /// the decision and approval, without a result. The call's <see cref="Decision"/> record follows once it finished.
    /// </summary>
    Intent = 1,
}
