namespace McpPolicy;

/// <summary>Settings of <see cref="AuditVerifier"/>.</summary>
public sealed class AuditVerifyOptions
{
    /// <summary>
    /// When true (the default), the last file must end with a closing <c>seal</c> record (not a rotation seal), so removing records
    /// or whole files from the end is detected.
    /// Set false to verify a file that is still being written (or one left by a crash); the chain up to its last line is then checked.
    /// </summary>
    public bool RequireSealed { get; set; } = true;
}
