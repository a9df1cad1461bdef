namespace McpPolicy;

/// <summary>The order values of the built-in pipeline steps; put your own filters between them.</summary>
public static class ToolInvocationFilterOrder
{
    /// <summary>Records the decision and outcome (runs outermost so it sees everything).</summary>
    public const int Record = -1000;

    /// <summary>Identifies the tool: catalog entry, pinning, principal, conversation.</summary>
    public const int Identify = 100;

    /// <summary>Validates arguments against the tool's schema and typed constraints.</summary>
    public const int Validate = 200;

    /// <summary>Evaluates the compiled policy and applies its decision (deny, approval).</summary>
    public const int Assess = 300;

    /// <summary>Checks conversation flows and taint.</summary>
    public const int Flow = 400;

    /// <summary>Checks token audience and scopes.</summary>
    public const int Authorize = 500;

    /// <summary>Applies rate limits, budgets and the kill switch.</summary>
    public const int Limit = 600;

    /// <summary>Enforces the final decision: denies BLOCK, asks for approval of HIGH.</summary>
    public const int Decide = 700;

    /// <summary>Inspects and sanitizes results (runs innermost, next to the tool).</summary>
    public const int Inspect = 900;
}
