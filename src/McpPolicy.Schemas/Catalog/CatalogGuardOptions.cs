namespace McpPolicy.Schemas;

/// <summary>Settings of the catalog lock (see <see cref="CatalogGuard"/> and docs/catalog.md).</summary>
public sealed class CatalogGuardOptions
{
    /// <summary>
    /// The lock file (conventionally <see cref="CatalogLockFile.FileName"/>). Loaded when the guard starts (a missing file means an empty
    /// lock; an invalid one stops the host); written after each approval when <see cref="SaveOnApprove"/> is true. Null keeps the lock in memory.
    /// </summary>
    public string? LockFilePath { get; set; }

    /// <summary>The lock to start from when there is no lock file (or none is configured). Null means an empty lock.</summary>
    public CatalogLock? InitialLock { get; set; }

    /// <summary>The host's HMAC key: the lock file must carry a matching signature, and saved files are signed. Null: unsigned files.</summary>
    public CatalogLockSigningKey? SigningKey { get; set; }

    /// <summary>Whether approvals are written to <see cref="LockFilePath"/> at once. Default true.</summary>
    public bool SaveOnApprove { get; set; } = true;

    /// <summary>What a change of a server's instructions does. Default: quarantine all the server's tools.</summary>
    public InstructionsChangeMode InstructionsChange { get; set; } = InstructionsChangeMode.QuarantineServer;

    /// <summary>
    /// When true, the first listing of a server the lock does not know at all is approved as <c>trust-on-first-use</c>; later changes are
    /// quarantined as usual. Default false: every tool of an unknown server is quarantined until approved.
    /// </summary>
    public bool TrustOnFirstUse { get; set; }

    /// <summary>
    /// Whether quarantined tools (new, changed, or of a server whose instructions changed under
    /// <see cref="InstructionsChangeMode.QuarantineServer"/>) are hidden from the client's <c>tools/list</c>, so the model does not read a
    /// definition no one approved. Their calls are refused either way; the next listing after approval shows them again. Default true;
    /// false shows them (with their new definitions) while they are quarantined.
    /// </summary>
    public bool HideQuarantinedTools { get; set; } = true;
}
