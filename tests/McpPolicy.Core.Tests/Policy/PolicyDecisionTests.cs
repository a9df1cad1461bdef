namespace McpPolicy.Core.Tests.Policy;

public sealed class PolicyDecisionTests
{
    [Theory]
    [InlineData(RiskLevel.Low, PolicyOutcome.Allow, true)]
    [InlineData(RiskLevel.Medium, PolicyOutcome.AllowAudited, true)]
    [InlineData(RiskLevel.High, PolicyOutcome.RequiresApproval, false)]
    [InlineData(RiskLevel.Block, PolicyOutcome.Deny, false)]
    public void Outcome_follows_from_the_risk(RiskLevel risk, PolicyOutcome outcome, bool allowed)
    {
        var decision = new PolicyDecision(risk, [new PolicyReason("x", "y", risk)], "v");

        Assert.Equal((outcome, allowed), (decision.Outcome, decision.IsAllowed));
        Assert.Equal(outcome, PolicyDecision.OutcomeOf(risk));
    }

    [Fact]
    public void Undefined_risk_maps_to_deny()
        => Assert.Equal(PolicyOutcome.Deny, PolicyDecision.OutcomeOf((RiskLevel)42));

    [Fact]
    public void Decisive_reason_is_the_first_reason_at_the_final_risk()
    {
        var decision = new PolicyDecision(
            RiskLevel.High,
            [new PolicyReason("base", "b", RiskLevel.Low), new PolicyReason("first", "f", RiskLevel.High), new PolicyReason("second", "s", RiskLevel.High)],
            "v");

        Assert.Equal("first", decision.DecisiveReason.Id);
    }

    [Fact]
    public void Decision_without_reasons_still_has_a_decisive_reason()
    {
        var decision = new PolicyDecision(RiskLevel.Block, [], "v");

        Assert.Equal(("policy", RiskLevel.Block), (decision.DecisiveReason.Id, decision.DecisiveReason.Risk));
    }
}
