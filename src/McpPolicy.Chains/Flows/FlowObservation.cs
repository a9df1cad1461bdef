namespace McpPolicy.Chains;

/// <summary>What the flow rules record about a call that ran.</summary>
/// <param name="QualifiedName">The tool, <c>serverId/toolName</c>.</param>
/// <param name="RequestId">The JSON-RPC request id, when known.</param>
/// <param name="Labels">The tool's flow labels.</param>
/// <param name="Timestamp">When the call completed.</param>
/// <param name="StepMatches">Per compiled chain, a bit per step the call matched; null when it matched none.</param>
/// <param name="TaintedTexts">Normalized texts of the result to fingerprint; null when the tool is neither an untrusted source nor private data.</param>
internal sealed record FlowObservation(string QualifiedName, string? RequestId, FlowLabels Labels, DateTimeOffset Timestamp, ulong[]? StepMatches, List<string>? TaintedTexts);
