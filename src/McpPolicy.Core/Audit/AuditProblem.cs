namespace McpPolicy;

/// <summary>Why an audit chain failed verification.</summary>
public enum AuditProblem
{
    /// <summary>A record's content differs from what was written (its MAC does not hold, or the line is not a canonical record).</summary>
    Modified = 0,

    /// <summary>A line that was not written by the chain here (an extra line, a duplicate, or a record from another chain).</summary>
    Inserted = 1,

    /// <summary>Records are missing from the middle or the start of the chain.</summary>
    Deleted = 2,

    /// <summary>Records are present but out of order (or files were given out of order).</summary>
    Reordered = 3,

    /// <summary>The chain ends early: a partial last line, or no <c>seal</c> record at the end.</summary>
    Truncated = 4,

    /// <summary>The files were written with another key.</summary>
    WrongKey = 5,
}
