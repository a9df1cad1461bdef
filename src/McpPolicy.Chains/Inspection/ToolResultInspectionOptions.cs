namespace McpPolicy.Chains.Inspection;

/// <summary>Overrides of <see cref="ResultInspectionOptions"/> for the tools one pattern matches; a null property keeps the broader setting.</summary>
public sealed class ToolResultInspectionOptions
{
    /// <summary>How unsafe characters are handled in these tools' results.</summary>
    public UnsafeTextHandling? UnsafeText { get; set; }

    /// <summary>How these tools' text is marked as untrusted.</summary>
    public UntrustedContentMarking? Marking { get; set; }

    /// <summary>Whether secret-looking values are redacted in these tools' results.</summary>
    public bool? RedactSecrets { get; set; }
}
