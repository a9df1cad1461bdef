namespace McpPolicy;

/// <summary>One <c>limits.perTool</c> entry: the limits of the tools its glob matches. Unset limits do not apply.</summary>
public sealed class ToolLimitPolicy
{
    /// <summary>
    /// Calls per minute per caller: one token bucket per principal for all the tools the glob matches, holding up to this many
    /// calls and refilled evenly over a minute.
    /// </summary>
    public int? PerMinute { get; set; }

    /// <summary>Calls running at once, counted per tool (each tool the glob matches has its own count).</summary>
    public int? Concurrency { get; set; }

    /// <summary>How long the tool may take once invoked; a slower call is cancelled and denied. The shortest matching timeout wins.</summary>
    public TimeSpan? Timeout { get; set; }
}
