namespace McpPolicy;

/// <summary>A <c>tools</c> entry: the base risk for calls whose <c>server/tool</c> name matches, plus argument constraints.</summary>
public sealed class ToolPolicy
{
    /// <summary>Creates an empty entry (for binders).</summary>
    public ToolPolicy()
    {
    }

    /// <summary>Creates an entry.</summary>
    /// <param name="match">A glob on <c>server/tool</c>; <c>*</c> matches any run of characters within a segment.</param>
    /// <param name="risk">The base risk for matching calls.</param>
    public ToolPolicy(string match, RiskLevel risk)
    {
        Match = match;
        Risk = risk;
    }

    /// <summary>A glob on <c>server/tool</c>, such as <c>fs/read_text_file</c>, <c>github/*</c> or <c>*/delete_*</c>.</summary>
    public string Match { get; set; } = "";

    /// <summary>The base risk for matching calls when this is the most specific entry.</summary>
    public RiskLevel Risk { get; set; } = RiskLevel.Medium;

    /// <summary>An optional explanation shown in decisions.</summary>
    public string? Reason { get; set; }

    /// <summary>Constraints on arguments, keyed by argument name or JSON Pointer (<c>/options/target</c>).</summary>
    public IDictionary<string, ArgumentCondition> Arguments { get; } = new Dictionary<string, ArgumentCondition>(StringComparer.Ordinal);

    /// <summary>
    /// An optional JSON Schema object that tightens the tool's upstream input schema (for example <c>additionalProperties: false</c>,
    /// <c>maxLength</c>, <c>enum</c>). A call's arguments must match the upstream schema and the overlay of every matching entry.
    /// Enforced by McpPolicy.Schemas (<c>AddSchemaValidation()</c>); a policy with an overlay does not compile without it.
    /// </summary>
    public System.Text.Json.JsonElement? Schema { get; set; }

    /// <summary>
    /// OAuth scopes the caller's access token must carry for matching tools (all of them, from every matching entry). Enforced by
    /// McpPolicy.Tokens (<c>WithTokenAuthorization()</c>): a caller lacking one does not see the tool in <c>tools/list</c> and gets an
    /// <c>insufficient_scope</c> error on call. Each is an RFC 6749 scope token, such as <c>files:write</c>.
    /// </summary>
    public IList<string> Scopes { get; } = [];

    /// <summary>The risk a call gets when an argument constraint is violated. Default: Block.</summary>
    public RiskLevel OnViolation { get; set; } = RiskLevel.Block;

    /// <summary>Where the entry was defined (file and line, configuration path), for error messages.</summary>
    public string? Source { get; set; }
}
