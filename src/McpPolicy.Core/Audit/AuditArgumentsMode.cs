namespace McpPolicy;

/// <summary>How much of a call's arguments an audit record keeps. The canonical-arguments digest is always recorded.</summary>
public enum AuditArgumentsMode
{
    /// <summary>Only the digest: the arguments themselves are not recorded.</summary>
    None = 0,

    /// <summary>The arguments, with the value of every member named in <see cref="AuditOptions.RedactedArgumentNames"/> (at any depth) replaced by <c>"[redacted]"</c>.</summary>
    Redacted = 1,

    /// <summary>The arguments exactly as decided. Use only where the audit file may hold whatever the model sent.</summary>
    Full = 2,
}
