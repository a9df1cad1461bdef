namespace McpPolicy;

/// <summary>Settings of the audit trail (see docs/audit.md). Validated at start-up; an invalid setting stops the host with a message naming it.</summary>
public sealed class AuditOptions
{
    /// <summary>The smallest key accepted, in bytes (the HMAC-SHA256 block security level).</summary>
    public const int MinimumKeyBytes = 32;

    /// <summary>
    /// The audit file: records go to numbered files beside it (<c>audit.jsonl</c> gives <c>audit.000001.jsonl</c>, <c>audit.000002.jsonl</c>, ...),
    /// a new number per process start and per rotation. Null means no file sink (records still reach the logger and other sinks).
    /// </summary>
    public string? Path { get; set; }

    /// <summary>The chain key, base64-encoded, at least <see cref="MinimumKeyBytes"/> bytes. Required with <see cref="Path"/> unless <see cref="KeyFile"/> is set.</summary>
    public string? Key { get; set; }

    /// <summary>A file whose text is the base64-encoded chain key (surrounding whitespace ignored). Use instead of <see cref="Key"/>.</summary>
    public string? KeyFile { get; set; }

    /// <summary>When written records are forced to disk. Default <see cref="AuditFsyncPolicy.Interval"/>.</summary>
    public AuditFsyncPolicy Fsync { get; set; } = AuditFsyncPolicy.Interval;

    /// <summary>The longest time a written record waits for its fsync under <see cref="AuditFsyncPolicy.Interval"/>. Default 1 second.</summary>
    public TimeSpan FsyncInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A file is sealed and the next one started once it reaches this size, in bytes. Default 64 MiB.</summary>
    public long MaxFileBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>A checkpoint record is written after this many records. Default 1000.</summary>
    public int CheckpointEvery { get; set; } = 1000;

    /// <summary>A checkpoint record is also written when this much time passed since the last one and records were written since. Default 5 minutes.</summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How much of the arguments records keep. Default <see cref="AuditArgumentsMode.None"/> (digest only).</summary>
    public AuditArgumentsMode Arguments { get; set; } = AuditArgumentsMode.None;

    /// <summary>Argument member names (any depth, case-insensitive) whose values <see cref="AuditArgumentsMode.Redacted"/> replaces.</summary>
    public IList<string> RedactedArgumentNames { get; } =
    [
        "password", "passwd", "secret", "token", "accessToken", "refreshToken", "apiKey", "api_key", "authorization", "cookie",
        "credential", "credentials", "privateKey", "private_key", "clientSecret", "client_secret",
    ];

    /// <summary>
    /// When true (the default), a HIGH or approved call whose audit record cannot be written is denied: its intent record must be on
    /// disk before the tool runs, and its decision record before the result is released (else the result is withheld).
    /// When false, such calls behave like the others: records are queued and a failed write is logged and counted.
    /// </summary>
    public bool DenyOnWriteFailure { get; set; } = true;

    /// <summary>When true (the default), every record is also written to the logger (<see cref="AuditLogSink"/>).</summary>
    public bool LogRecords { get; set; } = true;

    /// <summary>How many records may wait for the writer. When full, calls wait for room (back-pressure) rather than lose records. Default 10,000.</summary>
    public int QueueCapacity { get; set; } = 10_000;

    /// <summary>Checks the settings.</summary>
    /// <returns>Every problem found, each naming the setting and how to fix it; empty when valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>(ConfigurationErrors);
        if (Path is not null)
        {
            if (string.IsNullOrWhiteSpace(Path))
            {
                errors.Add("Audit:Path is empty: set it to the audit file (for example 'audit/decisions.jsonl') or leave it out for no file sink.");
            }

            if (Key is null && KeyFile is null)
            {
                errors.Add("Audit:Key or Audit:KeyFile is required with Audit:Path: the file sink chains records with an HMAC key (base64, at least 32 bytes).");
            }
        }

        if (Key is not null && KeyFile is not null)
        {
            errors.Add("Audit:Key and Audit:KeyFile are both set: keep one.");
        }
        else if (Key is not null || KeyFile is not null)
        {
            try
            {
                _ = ResolveKey();
            }
            catch (InvalidOperationException ex)
            {
                errors.Add(ex.Message);
            }
        }

        if (FsyncInterval <= TimeSpan.Zero)
        {
            errors.Add($"Audit:FsyncInterval must be positive (was {FsyncInterval}).");
        }

        if (MaxFileBytes < 4096)
        {
            errors.Add($"Audit:MaxFileBytes must be at least 4096 (was {MaxFileBytes}).");
        }

        if (CheckpointEvery < 1)
        {
            errors.Add($"Audit:CheckpointEvery must be at least 1 (was {CheckpointEvery}).");
        }

        if (CheckpointInterval <= TimeSpan.Zero)
        {
            errors.Add($"Audit:CheckpointInterval must be positive (was {CheckpointInterval}).");
        }

        if (QueueCapacity < 1)
        {
            errors.Add($"Audit:QueueCapacity must be at least 1 (was {QueueCapacity}).");
        }

        if (!Enum.IsDefined(Fsync))
        {
            errors.Add($"Audit:Fsync '{Fsync}' is not one of None, PerRecord, Interval.");
        }

        if (!Enum.IsDefined(Arguments))
        {
            errors.Add($"Audit:Arguments '{Arguments}' is not one of None, Redacted, Full.");
        }

        return errors;
    }

    /// <summary>Problems found while reading the options from configuration; reported by <see cref="Validate"/>.</summary>
    internal List<string> ConfigurationErrors { get; } = [];

    /// <summary>Reads the chain key from <see cref="Key"/> or <see cref="KeyFile"/>.</summary>
    /// <returns>The key bytes.</returns>
    /// <exception cref="InvalidOperationException">No key is set, it is not base64, or it is shorter than <see cref="MinimumKeyBytes"/>.</exception>
    public byte[] ResolveKey()
    {
        string text;
        string source;
        if (Key is not null)
        {
            text = Key;
            source = "Audit:Key";
        }
        else if (KeyFile is not null)
        {
            source = $"Audit:KeyFile '{KeyFile}'";
            try
            {
                text = File.ReadAllText(KeyFile);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                throw new InvalidOperationException($"{source} cannot be read: {ex.Message}", ex);
            }
        }
        else
        {
            throw new InvalidOperationException("No audit key is configured: set Audit:Key (base64) or Audit:KeyFile.");
        }

        return AuditKey.Parse(text, source);
    }
}
