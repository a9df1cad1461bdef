namespace McpPolicy;

/// <summary>
/// What the result-inspection step changed in one tool result. It is stored in <see cref="ToolInvocationContext.Items"/>
/// under the key <c>typeof(ResultInspectionReport)</c>, and summarised in the result's <c>_meta</c> under
/// <see cref="ResultInspectionMetaKeys.Inspection"/>, whenever anything was changed or left uninspected; a call without it
/// had a clean result or was not inspected.
/// </summary>
public sealed class ResultInspectionReport
{
    /// <summary>How unsafe characters were handled: <c>"MakeVisible"</c> or <c>"Remove"</c>.</summary>
    public required string UnsafeText { get; init; }

    /// <summary>Terminal escape sequences (CSI, OSC, DCS and other ESC or C1-introduced sequences) removed or made visible.</summary>
    public int EscapeSequences { get; init; }

    /// <summary>Other control characters (C0 except tab, line feed and carriage return; DEL; C1) removed or made visible.</summary>
    public int ControlCharacters { get; init; }

    /// <summary>Invisible format characters (bidi controls, zero-width characters, tag characters and the like) removed or made visible.</summary>
    public int FormatCharacters { get; init; }

    /// <summary>Secret-looking values replaced by a redaction marker.</summary>
    public int Redactions { get; init; }

    /// <summary>Text blocks and text resources wrapped or datamarked as untrusted content.</summary>
    public int MarkedBlocks { get; init; }

    /// <summary>Binary parts (blob resources, images, audio) and unknown content blocks left as they were.</summary>
    public int UninspectedParts { get; init; }

    /// <summary>True when anything in the result was changed.</summary>
    public bool Changed => EscapeSequences + ControlCharacters + FormatCharacters + Redactions + MarkedBlocks > 0;
}
