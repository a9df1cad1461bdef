using McpPolicy.Core.Tests.TestSupport;

namespace McpPolicy.Core.Tests.Engine;

/// <summary>A tool usually coerces "5" to 5, so equality lists treat a numeric string as the number it spells.</summary>
public sealed class NumericStringEqualityTests
{
    private static PolicyEvaluator Evaluator(string condition) => Policies.FromJson($$"""
        { "servers": { "bank": { "trusted": true } },
          "tools": [ { "match": "bank/pay", "risk": "Low", "arguments": { "account": {{condition}} } } ] }
        """);

    [Theory]
    [InlineData("\"5\"")]
    [InlineData("\"5.0\"")]
    [InlineData("\"5e0\"")]
    [InlineData("\" 5\"")]
    [InlineData("\"5 \"")]
    [InlineData("\"\\u0035\"")]
    [InlineData("5")]
    public void Numeric_string_cannot_slip_past_a_notIn_deny_list(string value)
    {
        var decision = Evaluator("""{ "notIn": [5, 7] }""").Evaluate(Calls.Known("bank/pay", $$"""{ "account": {{value}} }"""));

        Assert.Equal(RiskLevel.Block, decision.Risk);
    }

    [Theory]
    [InlineData("\"6\"", RiskLevel.Low)]
    [InlineData("\"abc\"", RiskLevel.Low)]
    [InlineData("\"7\"", RiskLevel.Block)]
    public void NotIn_still_passes_other_strings(string value, RiskLevel expected)
    {
        var decision = Evaluator("""{ "notIn": [5, 7] }""").Evaluate(Calls.Known("bank/pay", $$"""{ "account": {{value}} }"""));

        Assert.Equal(expected, decision.Risk);
    }

    [Fact]
    public void Numeric_string_equals_a_numeric_constant()
    {
        Assert.Equal(RiskLevel.Low, Evaluator("""{ "equals": 42 }""").Evaluate(Calls.Known("bank/pay", """{ "account": "42" }""")).Risk);
        Assert.Equal(RiskLevel.Block, Evaluator("""{ "equals": 42 }""").Evaluate(Calls.Known("bank/pay", """{ "account": "43" }""")).Risk);
    }

    [Fact]
    public void Rule_with_an_in_list_of_numbers_fires_for_the_numeric_string()
    {
        var evaluator = Policies.FromJson("""
            { "servers": { "bank": { "trusted": true } },
              "tools": [ { "match": "bank/pay", "risk": "Low" } ],
              "rules": [ { "id": "watched", "match": "bank/pay", "when": { "amount": { "in": [1000, 2000] } }, "risk": "High" } ] }
            """);

        Assert.Equal(RiskLevel.High, evaluator.Evaluate(Calls.Known("bank/pay", """{ "amount": "1000" }""")).Risk);
    }

    [Fact]
    public void Numeric_string_constant_equals_a_number_argument_both_ways()
    {
        Assert.Equal(RiskLevel.Block, Evaluator("""{ "notIn": ["5"] }""").Evaluate(Calls.Known("bank/pay", """{ "account": 5 }""")).Risk);
        Assert.Equal(RiskLevel.Low, Evaluator("""{ "in": ["5"] }""").Evaluate(Calls.Known("bank/pay", """{ "account": 5 }""")).Risk);
        Assert.Equal(RiskLevel.Block, Evaluator("""{ "in": ["five"] }""").Evaluate(Calls.Known("bank/pay", """{ "account": 5 }""")).Risk);
    }

    [Fact]
    public void Policy_file_with_a_lone_surrogate_is_a_validation_error_not_a_crash()
    {
        var ex = Assert.Throws<PolicyValidationException>(() => Evaluator("""{ "equals": "\ud800" }"""));

        var error = Assert.Single(ex.Errors);
        Assert.Contains("surrogate", error.Message, StringComparison.Ordinal);
        Assert.Contains("line 2", error.Location, StringComparison.Ordinal);
    }

    [Fact]
    public void Code_built_constant_with_a_lone_surrogate_is_a_validation_error_naming_the_key()
    {
        var options = new McpPolicyOptions();
        var tool = new ToolPolicy("bank/pay", RiskLevel.Low);
        tool.Arguments["account"] = new ArgumentCondition { EqualTo = System.Text.Json.JsonDocument.Parse("\"\\ud800\"").RootElement.Clone() };
        options.Tools.Add(tool);

        var ex = Assert.Throws<PolicyValidationException>(() => new PolicyEvaluator(options));

        Assert.Contains(ex.Errors, e => e.Path == "$.tools[0].arguments.account" && e.Message.Contains("surrogate", StringComparison.Ordinal));
    }
}
