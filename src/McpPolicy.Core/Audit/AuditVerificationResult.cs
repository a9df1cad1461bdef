namespace McpPolicy;

/// <summary>The outcome of <see cref="AuditVerifier.Verify(IEnumerable{string}, ReadOnlySpan{byte}, AuditVerifyOptions?)"/>: OK, or the first bad record and why.</summary>
public sealed class AuditVerificationResult
{
    /// <summary>True when every record verified and the chain is complete.</summary>
    public bool IsValid => Problem is null;

    /// <summary>What is wrong; null when valid.</summary>
    public AuditProblem? Problem { get; init; }

    /// <summary>The file of the first bad record; null when valid.</summary>
    public string? File { get; init; }

    /// <summary>The 1-based line of the first bad record in <see cref="File"/>; 0 when valid.</summary>
    public int Line { get; init; }

    /// <summary>A sentence saying what was found.</summary>
    public required string Message { get; init; }

    /// <summary>Lines verified before the first problem (all lines when valid).</summary>
    public long VerifiedLines { get; init; }

    /// <summary>Decision and intent records among them.</summary>
    public long Records { get; init; }

    /// <summary>Checkpoint records among them.</summary>
    public long Checkpoints { get; init; }

    /// <summary>The MAC of the last verified line: the chain head, to compare with an anchor kept elsewhere.</summary>
    public string? Head { get; init; }

    /// <inheritdoc />
    public override string ToString()
        => IsValid ? $"OK: {Message}" : $"{Problem} at {File}:{Line}: {Message}";
}
