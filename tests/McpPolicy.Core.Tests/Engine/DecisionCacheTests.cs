using McpPolicy.Core.Tests.TestSupport;
using McpPolicy.Engine;

namespace McpPolicy.Core.Tests.Engine;

public sealed class DecisionCacheTests
{
    private static readonly PolicyEvaluator Evaluator = Policies.Evaluator(o =>
    {
        o.Servers["docs"] = new ServerPolicy { Trusted = true };
        o.Tools.Add(new ToolPolicy("bank/*", RiskLevel.Low));
        o.Tools[0].Arguments["amount"] = new ArgumentCondition { Max = 100 };
        o.Rules.Add(new RulePolicy("large", "bank/*", RiskLevel.High) { When = { ["amount"] = new ArgumentCondition { Min = 50 } } });
    });

    [Fact]
    public void Call_nothing_raised_gets_the_same_decision_instance()
    {
        var first = Evaluator.Evaluate(Calls.Known("bank/pay", """{ "amount": 10 }"""));
        var second = Evaluator.Evaluate(Calls.Known("bank/pay", """{ "amount": 20, "memo": "x" }"""));

        Assert.Same(first, second);
        Assert.Equal(RiskLevel.Low, first.Risk);
    }

    [Theory]
    [InlineData("unknown")]
    [InlineData("default")]
    [InlineData("declared")]
    [InlineData("trusted read-only")]
    [InlineData("trusted destructive")]
    public void Every_kind_of_base_risk_is_cached(string kind)
    {
        Func<ToolInvocationContext> call = kind switch
        {
            "unknown" => () => Calls.Unknown("mail/send"),
            "default" => () => Calls.Known("mail/send"),
            "declared" => () => Calls.With("mail/send", Calls.Quiet, declaredRisk: RiskLevel.Low),
            "trusted read-only" => () => Calls.With("docs/search", new ToolHints(true, null, null, null)),
            "trusted destructive" => () => Calls.With("docs/drop", new ToolHints(null, true, null, null)),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

        Assert.Same(Evaluator.Evaluate(call()), Evaluator.Evaluate(call()));
    }

    [Fact]
    public void Cached_decisions_of_one_name_are_kept_apart_by_base_kind()
    {
        var declaredLow = Evaluator.Evaluate(Calls.With("mail/send", Calls.Quiet, declaredRisk: RiskLevel.Low));
        var declaredHigh = Evaluator.Evaluate(Calls.With("mail/send", Calls.Quiet, declaredRisk: RiskLevel.High));
        var unknown = Evaluator.Evaluate(Calls.Unknown("mail/send"));
        var plain = Evaluator.Evaluate(Calls.Known("mail/send"));

        Assert.Equal(
            [RiskLevel.Low, RiskLevel.High, RiskLevel.Block, RiskLevel.Medium],
            new[] { declaredLow, declaredHigh, unknown, plain }.Select(d => d.Risk));
    }

    [Fact]
    public void Raised_call_does_not_disturb_the_cached_decision()
    {
        var plain = Evaluator.Evaluate(Calls.Known("bank/pay", """{ "amount": 1 }"""));

        var raised = Evaluator.Evaluate(Calls.Known("bank/pay", """{ "amount": 60 }"""));
        var blocked = Evaluator.Evaluate(Calls.Known("bank/pay", """{ "amount": 600 }"""));

        Assert.Equal(["tools[0]", "large"], raised.Ids());
        Assert.Equal(["tools[0]", "tools[0].arguments.amount"], blocked.Ids());
        Assert.Same(plain, Evaluator.Evaluate(Calls.Known("bank/pay", """{ "amount": 2 }""")));
        Assert.Equal(["tools[0]"], plain.Ids());
    }

    [Fact]
    public void Names_beyond_the_plan_memo_are_still_decided_correctly()
    {
        var evaluator = Policies.Evaluator(o => o.Tools.Add(new ToolPolicy("s/t1*", RiskLevel.High)));

        for (var i = 0; i < CompiledPolicy.MaxCachedPlans + 50; i++)
        {
            var expected = i.ToString(System.Globalization.CultureInfo.InvariantCulture).StartsWith('1') ? RiskLevel.High : RiskLevel.Medium;
            var decision = evaluator.Evaluate(Calls.Known("s/t" + i));
            if (decision.Risk != expected)
            {
                Assert.Fail($"s/t{i}: expected {expected}, got {decision}");
            }
        }

        Assert.Equal(RiskLevel.High, evaluator.Evaluate(Calls.Known("s/t1-late")).Risk);
        Assert.Equal(RiskLevel.Medium, evaluator.Evaluate(Calls.Known("s/t2-late")).Risk);
    }

    [Fact]
    public void The_last_plan_is_never_used_for_another_name()
    {
        // The evaluator remembers the plan of the last name it was asked for; alternating names that share a server or a tool name
        // must each get their own plan.
        var evaluator = Policies.Evaluator(o =>
        {
            o.Tools.Add(new ToolPolicy("a/send", RiskLevel.Low));
            o.Tools.Add(new ToolPolicy("b/send", RiskLevel.High));
            o.Tools.Add(new ToolPolicy("a/sen", RiskLevel.Block));
            o.Tools.Add(new ToolPolicy("ab/send", RiskLevel.Medium));
        });

        var order = new[] { "a/send", "a/send", "b/send", "a/send", "a/sen", "a/send", "ab/send", "b/send", "b/send", "a/sen" };
        Assert.Equal(
            [RiskLevel.Low, RiskLevel.Low, RiskLevel.High, RiskLevel.Low, RiskLevel.Block, RiskLevel.Low, RiskLevel.Medium, RiskLevel.High, RiskLevel.High, RiskLevel.Block],
            order.Select(name => evaluator.Evaluate(Calls.Known(name)).Risk));
    }
}
