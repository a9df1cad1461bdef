namespace McpPolicy;

/// <summary>What the caller got back, without the content itself.</summary>
/// <param name="IsError">The result's <c>isError</c> flag (true for denials).</param>
/// <param name="Size">
/// The result's size in bytes: UTF-8 bytes of text content, plus the JSON encoding of other content blocks and of <c>structuredContent</c>.
/// </param>
/// <param name="DenialRuleId">The rule id of a policy denial (<c>_meta["io.mcppolicy/ruleId"]</c>), when the result is one.</param>
public sealed record AuditResultStatus(bool IsError, long Size, string? DenialRuleId);
