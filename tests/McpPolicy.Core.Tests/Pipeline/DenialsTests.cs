using ModelContextProtocol.Protocol;

namespace McpPolicy.Core.Tests.Pipeline;

public sealed class DenialsTests
{
    private static string TextOf(CallToolResult result) => Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text;

    [Fact]
    public void Denial_of_a_blocked_decision_names_the_deciding_rule_and_its_reason()
    {
        var decision = new PolicyDecision(
            RiskLevel.Block,
            [new PolicyReason("tools[0]", "base", RiskLevel.Low), new PolicyReason("no-secrets", "secrets must not leave", RiskLevel.Block)],
            "v1");

        var result = Denials.For(decision);

        Assert.True(result.IsError);
        Assert.Equal("Denied by policy (rule 'no-secrets'): secrets must not leave.", TextOf(result));
        Assert.StartsWith(Denials.Prefix, TextOf(result), StringComparison.Ordinal);
    }

    [Fact]
    public void Denial_of_a_high_decision_says_an_approval_was_missing()
    {
        var decision = new PolicyDecision(RiskLevel.High, [new PolicyReason("large-transfer", "transfers of 1000 or more need approval", RiskLevel.High)], "v1");

        Assert.Equal(
            "Denied by policy (rule 'large-transfer'): transfers of 1000 or more need approval. This call needs a human approval, which was not given.",
            TextOf(Denials.For(decision)));
    }

    [Fact]
    public void Explicit_denial_names_the_rule()
    {
        var result = Denials.Create("kill-switch", "all tools are paused");

        Assert.True(result.IsError);
        Assert.Equal("Denied by policy (rule 'kill-switch'): all tools are paused.", TextOf(result));
    }

    [Fact]
    public void Denial_meta_names_the_rule_and_risk_for_hosts_and_audits()
    {
        var decision = new PolicyDecision(RiskLevel.Block, [new PolicyReason("tools[3]", "deleting is not allowed here", RiskLevel.Block)], "v1");

        var result = Denials.For(decision);

        Assert.Equal("tools[3]", (string?)result.Meta![McpPolicyMetaKeys.RuleId]);
        Assert.Equal("Block", (string?)result.Meta[McpPolicyMetaKeys.Risk]);
        Assert.True(Denials.IsDenial(result));
        Assert.False(Denials.IsDenial(new ModelContextProtocol.Protocol.CallToolResult { IsError = true }));
        Assert.Equal("kill-switch", (string?)Denials.Create("kill-switch", "paused").Meta![McpPolicyMetaKeys.RuleId]);
    }
}
