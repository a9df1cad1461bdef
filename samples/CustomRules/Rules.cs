using System.Text.Json;
using McpPolicy;

namespace CustomRules;

/// <summary>Blocks any argument that smuggles a private key or an AWS secret, on every tool.</summary>
public sealed class NoSecretsInArgumentsRule : IPolicyRule
{
    public string Id => "no-secrets-in-arguments";

    public RuleVerdict Evaluate(ToolInvocationContext context)
    {
        foreach (var (_, value) in context.Arguments)
        {
            if (value.ValueKind == JsonValueKind.String)
            {
                var text = value.GetString()!;
                if (text.Contains("-----BEGIN", StringComparison.Ordinal) && text.Contains("PRIVATE KEY", StringComparison.Ordinal))
                {
                    return RuleVerdict.Block("the arguments contain a private key");
                }

                if (text.Contains("aws_secret_access_key", StringComparison.OrdinalIgnoreCase))
                {
                    return RuleVerdict.Block("the arguments contain an AWS secret access key");
                }
            }
        }

        return RuleVerdict.NoOpinion;
    }
}

/// <summary>Email to many recipients at once needs approval, whatever the configured risk of the tool.</summary>
public sealed class BulkEmailRule : IPolicyRule
{
    public string Id => "bulk-email";

    public RuleVerdict Evaluate(ToolInvocationContext context)
    {
        if (context.ToolName != "send_email" || !context.Arguments.TryGetValue("cc", out var cc) || cc.ValueKind != JsonValueKind.Array)
        {
            return RuleVerdict.NoOpinion;
        }

        return cc.GetArrayLength() >= 10 ? RuleVerdict.Raise(RiskLevel.High, "email to ten or more people needs approval") : RuleVerdict.NoOpinion;
    }
}

/// <summary>A rule with a bug: it throws. McpPolicy fails closed, so the call is blocked and the rule named.</summary>
public sealed class BrokenRule : IPolicyRule
{
    public string Id => "broken-rule";

    public RuleVerdict Evaluate(ToolInvocationContext context)
        => context.ToolName == "rm" ? throw new InvalidOperationException("bug in rule") : RuleVerdict.NoOpinion;
}
