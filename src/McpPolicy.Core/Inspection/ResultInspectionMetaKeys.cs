namespace McpPolicy;

/// <summary>The result <c>_meta</c> keys the result-inspection step writes.</summary>
public static class ResultInspectionMetaKeys
{
    /// <summary>
    /// A result <c>_meta</c> key holding an object that says what inspection changed: counts of escape sequences, control and
    /// format characters made visible or removed, values redacted, blocks marked as untrusted and blobs not inspected.
    /// Present only when something was changed or left uninspected.
    /// </summary>
    public const string Inspection = "io.mcppolicy/inspection";
}
