namespace McpPolicy;

/// <summary>What happened to a call, as an audit record states it.</summary>
public enum AuditOutcome
{
    /// <summary>The call ran without needing an approval.</summary>
    Allowed = 0,

    /// <summary>The call needed an approval, got one, and ran.</summary>
    Approved = 1,

    /// <summary>The call was refused: it never reached the tool.</summary>
    Denied = 2,

    /// <summary>The tool ran, but its result was replaced by a denial (a post-processing step failed or the audit record could not be written).</summary>
    Withheld = 3,
}
