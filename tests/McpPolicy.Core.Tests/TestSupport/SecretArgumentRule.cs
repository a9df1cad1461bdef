namespace McpPolicy.Core.Tests.TestSupport;

/// <summary>A custom rule that raises calls carrying an argument named <c>secret</c>.</summary>
public sealed class SecretArgumentRule : IPolicyRule
{
    public string Id => "secret-argument";

    public RuleVerdict Evaluate(ToolInvocationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Arguments.TryGetValue("secret", out _) ? RuleVerdict.Block("secrets must not be passed to tools") : RuleVerdict.NoOpinion;
    }
}
