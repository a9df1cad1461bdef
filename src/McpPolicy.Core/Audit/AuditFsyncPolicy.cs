namespace McpPolicy;

/// <summary>When the audit file sink asks the operating system to put written records on disk (fsync).</summary>
public enum AuditFsyncPolicy
{
    /// <summary>Never: records reach the operating system's cache and are written to disk when it decides. A power loss can lose the last records.</summary>
    None = 0,

    /// <summary>After every record: the slowest and safest setting.</summary>
    PerRecord = 1,

    /// <summary>At most <see cref="AuditOptions.FsyncInterval"/> after a record is written, and always before a HIGH or approved call proceeds.</summary>
    Interval = 2,
}
