using McpPolicy.Core.Tests.TestSupport;

namespace McpPolicy.Core.Tests.Engine;

public sealed class DecisionReasonTests
{
    private static readonly PolicyEvaluator Evaluator = Policies.FromJson("""
        {
          "tools": [
            { "match": "x/*", "risk": "Low" },
            { "match": "bank/*", "risk": "Low", "onViolation": "Medium", "arguments": { "amount": { "max": 100 } } },
            { "match": "bank/send_money", "risk": "Low", "reason": "payments are fine" }
          ],
          "rules": [
            { "id": "b-stop", "when": { "note": { "equals": "stop" } }, "risk": "Block", "reason": "stopped" },
            { "id": "a-large", "match": "bank/*", "when": { "amount": { "min": 1000 } }, "risk": "High", "reason": "large" }
          ]
        }
        """);

    private static readonly ToolHints Write = new(ReadOnly: false, Destructive: false, Idempotent: null, OpenWorld: false);

    [Fact]
    public void Reasons_list_the_base_then_every_raise_in_evaluation_order()
    {
        var decision = Evaluator.Evaluate(Calls.With("bank/send_money", Write, """{ "amount": 5000 }"""));

        Assert.Equal(RiskLevel.High, decision.Risk);
        Assert.Equal(["tools[2]", "annotation:write", "tools[1].arguments.amount", "a-large"], decision.Ids());
        Assert.Equal(
            [RiskLevel.Low, RiskLevel.Medium, RiskLevel.Medium, RiskLevel.High],
            decision.Reasons.Select(r => r.Risk));
        Assert.Equal("payments are fine", decision.Reasons[0].Message);
        Assert.Equal("a-large", decision.DecisiveReason.Id);
    }

    [Fact]
    public void Block_is_the_last_reason()
    {
        var decision = Evaluator.Evaluate(Calls.With("bank/send_money", default, """{ "amount": 5000, "note": "stop" }"""));

        Assert.Equal(["tools[2]", "annotation:destructive", "a-large", "b-stop"], decision.Ids());
        Assert.Equal(new PolicyReason("b-stop", "stopped", RiskLevel.Block), decision.DecisiveReason);
    }

    [Fact]
    public void Decisive_reason_is_the_first_that_reached_the_final_risk()
    {
        var decision = Evaluator.Evaluate(Calls.With("bank/send_money", default, """{ "amount": 5000 }"""));

        // The Medium constraint violation came after High and raised nothing, so it is not listed.
        Assert.Equal(["tools[2]", "annotation:destructive", "a-large"], decision.Ids());
        Assert.Equal("annotation:destructive", decision.DecisiveReason.Id);
    }

    [Fact]
    public void Call_nothing_raised_has_only_its_base_reason()
    {
        var decision = Evaluator.Evaluate(Calls.Known("bank/send_money", """{ "amount": 50 }"""));

        Assert.Equal(["tools[2]"], decision.Ids());
        Assert.Equal(PolicyOutcome.Allow, decision.Outcome);
    }

    [Fact]
    public void Every_decision_carries_the_policy_version()
    {
        Assert.Equal(Evaluator.PolicyVersion, Evaluator.Evaluate(Calls.Known("bank/send_money")).PolicyVersion);
        Assert.Equal(Evaluator.PolicyVersion, Evaluator.Evaluate(Calls.Unknown("bank/send_money")).PolicyVersion);
        Assert.Equal(Evaluator.PolicyVersion, Evaluator.Evaluate(Calls.With("bank/send_money", default, """{ "note": "stop" }""")).PolicyVersion);
    }
}
