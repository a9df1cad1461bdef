namespace McpPolicy.Chains.Inspection;

/// <summary>How the text of a tool's result is marked as untrusted data before a model reads it (the "spotlighting" technique).</summary>
[Flags]
public enum UntrustedContentMarking
{
    /// <summary>No marking (the default).</summary>
    None = 0,

    /// <summary>
    /// Wraps each text block and text resource in <c>«untrusted-content source="server/tool"»</c> … <c>«/untrusted-content»</c>.
    /// Any occurrence of either delimiter inside the text is defused first, so content cannot close the block early.
    /// </summary>
    Delimit = 1,

    /// <summary>Replaces every space in each text block and text resource with <see cref="ResultInspectionOptions.DatamarkCharacter"/>.</summary>
    Datamark = 2,
}
