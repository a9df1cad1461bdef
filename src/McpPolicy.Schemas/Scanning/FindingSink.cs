namespace McpPolicy.Schemas.Scanning;

/// <summary>
/// Collects the findings of one tool: at most one per detector and location, at most <see cref="DefinitionScanOptions.MaxFindingsPerTool"/>
/// kept, while the highest severity counts every finding, kept or not.
/// </summary>
internal sealed class FindingSink
{
    private readonly HashSet<(string Id, string Pointer)> _seen = [];
    private readonly List<DefinitionFinding> _findings = [];
    private readonly int _max;
    private readonly IReadOnlySet<string> _ignored;

    public FindingSink(int max, IReadOnlySet<string> ignored)
    {
        _max = max;
        _ignored = ignored;
    }

    public PointerPath Path { get; } = new();

    public string? ServerId { get; set; }

    public string? ToolName { get; set; }

    public FindingSeverity? Highest { get; private set; }

    public int Omitted { get; private set; }

    public IReadOnlyList<DefinitionFinding> Findings => _findings;

    /// <summary>Records a finding at the current path.</summary>
    public void Add(string id, FindingSeverity severity, string message, string excerpt) => Add(id, severity, Path.ToString(), message, excerpt);

    /// <summary>Records a finding at <paramref name="pointer"/>.</summary>
    public void Add(string id, FindingSeverity severity, string pointer, string message, string excerpt)
    {
        if (_ignored.Contains(id) || !_seen.Add((id, pointer)))
        {
            return;
        }

        if (Highest is null || severity > Highest)
        {
            Highest = severity;
        }

        if (_findings.Count >= _max)
        {
            Omitted++;
            return;
        }

        _findings.Add(new DefinitionFinding(id, severity, pointer, message, excerpt) { ServerId = ServerId, ToolName = ToolName });
    }
}
