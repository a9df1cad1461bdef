using McpPolicy.Core.Tests.TestSupport;

namespace McpPolicy.Core.Tests.Engine;

public sealed class DeclarativeRuleTests
{
    private static PolicyEvaluator WithRule(string when, string match = "bank/send_money", string risk = "High")
        => Policies.FromJson($$"""
            { "tools": [ { "match": "*/*", "risk": "Low" } ],
              "rules": [ { "id": "r", "match": "{{match}}", "risk": "{{risk}}", "reason": "rule r holds", "when": {{when}} } ] }
            """);

    private static bool Fires(PolicyEvaluator evaluator, string arguments, string call = "bank/send_money")
        => evaluator.Evaluate(Calls.Known(call, arguments)).Ids().Contains("r");

    [Fact]
    public void Rule_fires_when_every_condition_holds()
    {
        var evaluator = WithRule("""{ "amount": { "min": 1000 }, "currency": { "in": ["USD", "EUR"] } }""");

        var decision = evaluator.Evaluate(Calls.Known("bank/send_money", """{ "amount": 1000, "currency": "EUR" }"""));

        Assert.Equal(RiskLevel.High, decision.Risk);
        Assert.Equal(new PolicyReason("r", "rule r holds", RiskLevel.High), decision.DecisiveReason);
        Assert.False(Fires(evaluator, """{ "amount": 999, "currency": "EUR" }"""));
        Assert.False(Fires(evaluator, """{ "amount": 5000, "currency": "GBP" }"""));
    }

    [Theory]
    [InlineData("""{ "currency": "EUR" }""")]
    [InlineData("{}")]
    [InlineData("""{ "Amount": 5000, "currency": "EUR" }""")]
    public void Rule_does_not_fire_when_an_argument_is_absent(string arguments)
    {
        var evaluator = WithRule("""{ "amount": { "min": 1000 }, "currency": { "in": ["USD", "EUR"] } }""");

        Assert.False(Fires(evaluator, arguments));
    }

    [Fact]
    public void Required_in_a_rule_does_not_make_an_absent_argument_hold()
    {
        var evaluator = WithRule("""{ "amount": { "required": true } }""");

        Assert.False(Fires(evaluator, "{}"));
        Assert.True(Fires(evaluator, """{ "amount": 1 }"""));
    }

    [Fact]
    public void Rule_without_conditions_always_fires_on_matching_calls()
    {
        var evaluator = WithRule("{}");

        Assert.True(Fires(evaluator, "{}"));
        Assert.False(Fires(evaluator, "{}", call: "bank/balance"));
    }

    [Theory]
    [InlineData("""{ "amount": "a lot" }""")]
    [InlineData("""{ "amount": true }""")]
    [InlineData("""{ "amount": null }""")]
    [InlineData("""{ "amount": { "value": 1 } }""")]
    public void Value_of_the_wrong_type_makes_the_rule_fire(string arguments)
        => Assert.True(Fires(WithRule("""{ "amount": { "min": 1000 } }"""), arguments));

    [Theory]
    [InlineData("""{ "amount": "\u0031" }""", false)]
    [InlineData("""{ "amount": "\u0035000" }""", true)]
    [InlineData("""{ "amount": " 5000 " }""", true)]
    public void Escaped_or_padded_numeric_string_is_read_as_the_number_it_spells(string arguments, bool fires)
        => Assert.Equal(fires, Fires(WithRule("""{ "amount": { "min": 1000 } }"""), arguments));

    [Fact]
    public void Pattern_on_a_non_string_makes_the_rule_fire()
        => Assert.True(Fires(WithRule("""{ "to": { "pattern": "@evil\\.com$" } }"""), """{ "to": 42 }"""));

    [Theory]
    [InlineData("""{ "amount": "5000" }""", true)]
    [InlineData("""{ "amount": "500" }""", false)]
    [InlineData("""{ "amount": 5000 }""", true)]
    public void Numeric_string_compares_as_a_number_in_a_rule(string arguments, bool fires)
        => Assert.Equal(fires, Fires(WithRule("""{ "amount": { "min": 1000 } }"""), arguments));

    [Theory]
    [InlineData("""{ "amount": [5, 2000] }""", true)]
    [InlineData("""{ "amount": [2000, 5] }""", true)]
    [InlineData("""{ "amount": [5, 6] }""", false)]
    [InlineData("""{ "amount": [] }""", false)]
    [InlineData("""{ "amount": [5, "x"] }""", true)]
    public void Rule_on_an_array_holds_when_any_element_holds(string arguments, bool fires)
        => Assert.Equal(fires, Fires(WithRule("""{ "amount": { "min": 1000 } }"""), arguments));

    [Fact]
    public void Rule_condition_on_a_json_pointer()
    {
        var evaluator = WithRule("""{ "/recipient/country": { "in": ["XX"] } }""");

        Assert.True(Fires(evaluator, """{ "recipient": { "country": "XX" } }"""));
        Assert.False(Fires(evaluator, """{ "recipient": { "country": "DE" } }"""));
        Assert.False(Fires(evaluator, """{ "recipient": "XX" }"""));
    }

    [Fact]
    public void Rule_applies_only_to_calls_its_match_covers()
    {
        var evaluator = WithRule("{}", match: "bank/*");

        Assert.True(Fires(evaluator, "{}", call: "bank/anything"));
        Assert.False(Fires(evaluator, "{}", call: "fs/anything"));
    }

    [Fact]
    public void Rule_below_the_current_risk_changes_nothing_and_is_not_listed()
    {
        var evaluator = Policies.FromJson("""
            { "tools": [ { "match": "bank/*", "risk": "High" } ],
              "rules": [ { "id": "r", "risk": "Medium" } ] }
            """);

        var decision = evaluator.Evaluate(Calls.Known("bank/send_money"));

        Assert.Equal(RiskLevel.High, decision.Risk);
        Assert.Equal(["tools[0]"], decision.Ids());
    }

    [Fact]
    public void Rule_without_a_reason_gets_a_generated_one_naming_it()
    {
        var evaluator = Policies.FromJson("""{ "rules": [ { "id": "no-reason", "risk": "High" } ] }""");

        var reason = evaluator.Evaluate(Calls.Known("a/b")).DecisiveReason;

        Assert.Equal("no-reason", reason.Id);
        Assert.Contains("no-reason", reason.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rules_apply_to_unknown_tools_too()
    {
        var evaluator = Policies.FromJson("""
            { "defaults": { "unknownTool": "Medium" },
              "rules": [ { "id": "large-transfer", "match": "bank/send_money", "when": { "amount": { "min": 1000 } }, "risk": "Block" } ] }
            """);

        var decision = evaluator.Evaluate(Calls.Unknown("bank/send_money", """{ "amount": 5000 }"""));

        Assert.Equal(RiskLevel.Block, decision.Risk);
        Assert.Equal(["defaults.unknownTool", "large-transfer"], decision.Ids());
    }

    [Fact]
    public void Argument_constraints_apply_to_unknown_tools_too()
    {
        var evaluator = Policies.FromJson("""
            { "defaults": { "unknownTool": "Low" },
              "tools": [ { "match": "fs/*", "risk": "Low", "arguments": { "path": { "pattern": "^/srv/" } } } ] }
            """);

        var decision = evaluator.Evaluate(Calls.Unknown("fs/read", """{ "path": "/etc/shadow" }"""));

        Assert.Equal(RiskLevel.Block, decision.Risk);
        Assert.Equal(["defaults.unknownTool", "tools[0].arguments.path"], decision.Ids());
    }
}
