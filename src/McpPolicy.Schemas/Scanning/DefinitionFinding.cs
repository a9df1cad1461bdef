namespace McpPolicy.Schemas;

/// <summary>
/// One thing the <see cref="ToolDefinitionScanner"/> found in a tool definition: which detector (<see cref="Id"/>), how serious, where
/// (a JSON Pointer into the definition) and a short excerpt with hidden characters made visible.
/// </summary>
/// <param name="Id">The detector's stable id, one of <see cref="DefinitionFindingIds"/>.</param>
/// <param name="Severity">How serious the finding is.</param>
/// <param name="Pointer">
/// The RFC 6901 JSON Pointer of the string or property in the tool definition (<c>/description</c>,
/// <c>/inputSchema/properties/notes/description</c>); a property name is located by the pointer of the property itself.
/// </param>
/// <param name="Message">What was found, in one sentence.</param>
/// <param name="Excerpt">
/// At most about 120 characters around the finding, with every invisible, control and format character written as <c>&lt;U+XXXX&gt;</c>.
/// The excerpt may quote an attacker's text: show it to people, never to a model.
/// </param>
public sealed record DefinitionFinding(string Id, FindingSeverity Severity, string Pointer, string Message, string Excerpt)
{
    /// <summary>The host-configured id of the server whose tool this is, when the scan covered a catalog of several servers.</summary>
    public string? ServerId { get; init; }

    /// <summary>The name of the tool the finding is in, when the definition has a readable name.</summary>
    public string? ToolName { get; init; }

    /// <summary>The risk this finding asks for: <see cref="FindingSeverity.Critical"/> is <see cref="RiskLevel.Block"/>, the others their namesakes.</summary>
    public RiskLevel Risk => ToRisk(Severity);

    /// <summary>Maps a severity to the risk of the same rank.</summary>
    /// <param name="severity">The severity.</param>
    /// <returns>The risk.</returns>
    public static RiskLevel ToRisk(FindingSeverity severity) => severity switch
    {
        FindingSeverity.Low => RiskLevel.Low,
        FindingSeverity.Medium => RiskLevel.Medium,
        FindingSeverity.High => RiskLevel.High,
        _ => RiskLevel.Block,
    };

    /// <summary>One line for logs and reports, with hidden characters in names and pointers made visible.</summary>
    /// <returns>The line.</returns>
    public override string ToString()
    {
        var pointer = Scanning.VisibleText.Show(Pointer, 200);
        var where = ToolName is null ? pointer : ServerId is null ? $"{Scanning.VisibleText.Show(ToolName)} {pointer}" : $"{Scanning.VisibleText.Show(ServerId)}/{Scanning.VisibleText.Show(ToolName)} {pointer}";
        return $"{Severity} {Id} at {where}: {Message} [{Excerpt}]";
    }
}
