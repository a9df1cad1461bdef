namespace McpPolicy.Chains.Inspection;

/// <summary>Counts of what inspection changed in one result, accumulated as it walks the result.</summary>
internal struct InspectionTally
{
    public int EscapeSequences;
    public int ControlCharacters;
    public int FormatCharacters;
    public int Redactions;
    public int MarkedBlocks;
    public int UninspectedParts;

    public readonly bool Changed => EscapeSequences + ControlCharacters + FormatCharacters + Redactions + MarkedBlocks > 0;

    public readonly bool Any => Changed || UninspectedParts > 0;
}
