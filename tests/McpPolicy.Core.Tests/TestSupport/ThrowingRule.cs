namespace McpPolicy.Core.Tests.TestSupport;

/// <summary>A custom rule that always throws, with a message that must never reach a decision.</summary>
public sealed class ThrowingRule : IPolicyRule
{
    public const string SecretMessage = "connection string Password=hunter2 leaked";

    public ThrowingRule(string id = "throwing-rule")
    {
        Id = id;
    }

    public string Id { get; }

    public RuleVerdict Evaluate(ToolInvocationContext context) => throw new InvalidOperationException(SecretMessage);
}
