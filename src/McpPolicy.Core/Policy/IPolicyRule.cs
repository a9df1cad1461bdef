namespace McpPolicy;

/// <summary>
/// A custom policy rule written in C#. Rules are synchronous and pure: the same call must always give the same verdict,
/// with no I/O, clocks or randomness. A rule can only raise the risk; a rule that throws makes the call BLOCK.
/// </summary>
public interface IPolicyRule
{
    /// <summary>A stable, unique identifier; it appears in decisions and audit records.</summary>
    string Id { get; }

    /// <summary>Assesses one call.</summary>
    /// <param name="context">The call; rules must not modify it.</param>
    /// <returns><see cref="RuleVerdict.NoOpinion"/>, or a risk with a reason.</returns>
    RuleVerdict Evaluate(ToolInvocationContext context);
}
