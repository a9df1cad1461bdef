namespace McpPolicy.Chains.Tests.Flows;

/// <summary>The per-tool plan's reuse of step masks and raised decisions: reused only when the inputs are the same.</summary>
public sealed class ToolPlanTests
{
    private static readonly PolicyReason Base = new("defaults.risk", "default", RiskLevel.Low);

    [Fact]
    public void Step_masks_are_shared_only_when_equal_and_a_shared_array_is_never_changed()
    {
        var plan = new ToolPlan(null, FlowLabels.None, true, []);

        var first = plan.ShareSteps([1, 0]);
        Assert.Same(first, plan.ShareSteps([1, 0]));

        var other = plan.ShareSteps([0, 2]);
        Assert.NotSame(first, other);
        Assert.Equal([0UL, 2UL], other);
        Assert.Equal([1UL, 0UL], first);
    }

    [Fact]
    public void A_raised_decision_is_reused_only_for_the_same_decision_and_the_same_reason_array()
    {
        var plan = new ToolPlan(null, FlowLabels.None, false, []);
        var built = 0;
        PolicyDecision Raise(PolicyDecision decision, IReadOnlyList<PolicyReason> added)
        {
            built++;
            return new PolicyDecision(RiskLevel.High, [.. decision.Reasons, .. added], decision.PolicyVersion);
        }

        var low = new PolicyDecision(RiskLevel.Low, [Base], "v1");
        PolicyReason[] taint = [new PolicyReason("taint", "argument 'body' contains text from the result of call #1 web/fetch", RiskLevel.High)];

        var first = plan.Raise(low, taint, Raise);
        Assert.Same(first, plan.Raise(low, taint, Raise));
        Assert.Equal(1, built);

        // Another decision (even with equal content) or another reason array: raised afresh, from its own inputs.
        var v2 = plan.Raise(new PolicyDecision(RiskLevel.Low, [Base], "v2"), taint, Raise);
        Assert.Equal("v2", v2.PolicyVersion);
        var copy = plan.Raise(low, [.. taint], Raise);
        Assert.NotSame(first, copy);
        Assert.Equal(3, built);

        // A list (the flow check's answer when several reasons were added) is never reused.
        var list = new List<PolicyReason>(taint);
        plan.Raise(low, list, Raise);
        plan.Raise(low, list, Raise);
        Assert.Equal(5, built);
        Assert.Equal(first.Reasons, copy.Reasons);
    }
}
