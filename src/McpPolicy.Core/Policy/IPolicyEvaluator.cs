namespace McpPolicy;

/// <summary>Evaluates tool calls against the compiled policy. Usable on its own (tests, tools) or through the filter pipeline.</summary>
public interface IPolicyEvaluator
{
    /// <summary>The content hash of the policy currently in force.</summary>
    string PolicyVersion { get; }

    /// <summary>Decides one call. Never throws for a well-formed context: any failure inside the policy gives a BLOCK decision.</summary>
    /// <param name="context">The call.</param>
    /// <returns>The decision.</returns>
    PolicyDecision Evaluate(ToolInvocationContext context);
}
