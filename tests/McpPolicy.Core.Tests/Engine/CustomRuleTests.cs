using McpPolicy.Core.Tests.TestSupport;
using Microsoft.Extensions.Logging;

namespace McpPolicy.Core.Tests.Engine;

public sealed class CustomRuleTests
{
    private static void LowBase(McpPolicyOptions o) => o.Tools.Add(new ToolPolicy("*/*", RiskLevel.Low));

    [Fact]
    public void Custom_rule_raises_with_its_id_and_reason()
    {
        var evaluator = Policies.Evaluator(LowBase, new SecretArgumentRule());

        var decision = evaluator.Evaluate(Calls.Known("fs/write", """{ "secret": "x" }"""));

        Assert.Equal(RiskLevel.Block, decision.Risk);
        Assert.Equal(new PolicyReason("secret-argument", "secrets must not be passed to tools", RiskLevel.Block), decision.DecisiveReason);
        Assert.Equal(RiskLevel.Low, evaluator.Evaluate(Calls.Known("fs/write", """{ "public": "x" }""")).Risk);
    }

    [Fact]
    public void Custom_rule_asking_for_less_than_the_base_changes_nothing()
    {
        var evaluator = Policies.Evaluator(o => o.Tools.Add(new ToolPolicy("*/*", RiskLevel.High)), new CountingRule("lower", RuleVerdict.Raise(RiskLevel.Low, "fine")));

        var decision = evaluator.Evaluate(Calls.Known("fs/write"));

        Assert.Equal(RiskLevel.High, decision.Risk);
        Assert.Equal(["tools[0]"], decision.Ids());
    }

    [Fact]
    public void Throwing_rule_blocks_the_call_and_names_the_rule()
    {
        var evaluator = Policies.Evaluator(LowBase, new ThrowingRule("fragile"));

        var decision = evaluator.Evaluate(Calls.Known("fs/read"));

        Assert.Equal(PolicyOutcome.Deny, decision.Outcome);
        Assert.Equal(["tools[0]", "fragile"], decision.Ids());
        Assert.Equal("fragile", decision.DecisiveReason.Id);
        Assert.DoesNotContain("hunter2", decision.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(nameof(InvalidOperationException), decision.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Throwing_rule_is_logged_with_its_exception()
    {
        var logger = new ListLogger<PolicyEvaluator>();
        var options = new McpPolicyOptions();
        LowBase(options);
        var evaluator = new PolicyEvaluator(options, [new ThrowingRule("fragile")], logger);

        evaluator.Evaluate(Calls.Known("fs/read"));

        var entry = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Error, entry.Level);
        Assert.Contains("fragile", entry.Message, StringComparison.Ordinal);
        Assert.Equal(ThrowingRule.SecretMessage, entry.Exception?.Message);
    }

    [Fact]
    public void Block_short_circuits_the_rules_after_it()
    {
        var before = new CountingRule("a-before", RuleVerdict.NoOpinion);
        var blocker = new CountingRule("m-blocker", RuleVerdict.Block("stop"));
        var after = new CountingRule("z-after", RuleVerdict.Raise(RiskLevel.High, "later"));
        var evaluator = Policies.Evaluator(LowBase, after, blocker, before);

        var decision = evaluator.Evaluate(Calls.Known("fs/read"));

        Assert.Equal(["tools[0]", "m-blocker"], decision.Ids());
        Assert.Equal((1, 1, 0), (before.Calls, blocker.Calls, after.Calls));
    }

    [Fact]
    public void Throwing_rule_short_circuits_the_rules_after_it()
    {
        var after = new CountingRule("z-after", RuleVerdict.NoOpinion);
        var evaluator = Policies.Evaluator(LowBase, after, new ThrowingRule("b-throwing"));

        Assert.Equal(RiskLevel.Block, evaluator.Evaluate(Calls.Known("fs/read")).Risk);
        Assert.Equal(0, after.Calls);
    }

    [Fact]
    public void Block_base_risk_evaluates_no_rule()
    {
        var counting = new CountingRule("counting", RuleVerdict.Raise(RiskLevel.High, "x"));
        var evaluator = Policies.Evaluator(o => o.Tools.Add(new ToolPolicy("*/delete_*", RiskLevel.Block)), counting);

        var decision = evaluator.Evaluate(Calls.Known("fs/delete_all"));

        Assert.Equal(["tools[0]"], decision.Ids());
        Assert.Equal(0, counting.Calls);
    }

    [Fact]
    public void Violated_blocking_constraint_evaluates_no_rule()
    {
        var counting = new CountingRule("counting", RuleVerdict.NoOpinion);
        var evaluator = Policies.Evaluator(
            o =>
            {
                var tool = new ToolPolicy("bank/*", RiskLevel.Low);
                tool.Arguments["amount"] = new ArgumentCondition { Max = 10 };
                o.Tools.Add(tool);
            },
            counting);

        Assert.Equal(RiskLevel.Block, evaluator.Evaluate(Calls.Known("bank/pay", """{ "amount": 11 }""")).Risk);
        Assert.Equal(0, counting.Calls);
        Assert.Equal(RiskLevel.Low, evaluator.Evaluate(Calls.Known("bank/pay", """{ "amount": 10 }""")).Risk);
        Assert.Equal(1, counting.Calls);
    }

    [Fact]
    public void Declarative_and_custom_rules_run_together_in_id_order()
    {
        var custom = new CountingRule("b-custom", RuleVerdict.Raise(RiskLevel.High, "custom"));
        var evaluator = Policies.Evaluator(
            o =>
            {
                LowBase(o);
                o.Rules.Add(new RulePolicy("c-declarative", "*/*", RiskLevel.High));
                o.Rules.Add(new RulePolicy("a-declarative", "*/*", RiskLevel.Medium));
            },
            custom);

        Assert.Equal(["tools[0]", "a-declarative", "b-custom", "c-declarative"], evaluator.Evaluate(Calls.Known("fs/read")).Ids());
    }

    [Fact]
    public void Custom_rule_sees_the_call()
    {
        var seen = new List<string>();
        var evaluator = Policies.Evaluator(LowBase, new InspectingRule(c => seen.Add($"{c.QualifiedName} {c.Arguments}")));

        evaluator.Evaluate(Calls.Known("fs/read", """{"path":"/a"}"""));

        Assert.Equal(["fs/read {\"path\":\"/a\"}"], seen);
    }

    [Fact]
    public void Verdict_needs_a_reason()
    {
        Assert.ThrowsAny<ArgumentException>(() => RuleVerdict.Raise(RiskLevel.High, " "));
        Assert.ThrowsAny<ArgumentException>(() => RuleVerdict.Block(null!));
        Assert.False(RuleVerdict.NoOpinion.HasOpinion);
        Assert.Equal(RuleVerdict.Raise(RiskLevel.High, "x"), RuleVerdict.Raise(RiskLevel.High, "x"));
        Assert.NotEqual(RuleVerdict.Raise(RiskLevel.High, "x"), RuleVerdict.Block("x"));
    }

    private sealed class InspectingRule(Action<ToolInvocationContext> inspect) : IPolicyRule
    {
        public string Id => "inspecting";

        public RuleVerdict Evaluate(ToolInvocationContext context)
        {
            inspect(context);
            return RuleVerdict.NoOpinion;
        }
    }
}
