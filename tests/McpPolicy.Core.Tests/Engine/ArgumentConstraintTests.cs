using McpPolicy.Core.Tests.TestSupport;

namespace McpPolicy.Core.Tests.Engine;

public sealed class ArgumentConstraintTests
{
    private static PolicyDecision Check(string key, string condition, string arguments, string onViolation = "Block")
    {
        var evaluator = Policies.FromJson($$"""
            { "tools": [ { "match": "t/x", "risk": "Low", "onViolation": "{{onViolation}}", "arguments": { "{{key}}": {{condition}} } } ] }
            """);
        return evaluator.Evaluate(Calls.Known("t/x", arguments));
    }

    private static void AssertHolds(string key, string condition, string arguments)
    {
        var decision = Check(key, condition, arguments);
        Assert.True(decision.Risk == RiskLevel.Low, $"{key} {condition} should hold for {arguments}, but: {decision}");
    }

    private static void AssertViolated(string key, string condition, string arguments)
    {
        var decision = Check(key, condition, arguments);
        Assert.True(decision.Risk == RiskLevel.Block, $"{key} {condition} should be violated by {arguments}, but: {decision}");
        Assert.Equal(["tools[0]", "tools[0].arguments." + key], decision.Ids());
    }

    [Theory]
    [InlineData("""{ "equals": "a" }""", """{ "v": "a" }""")]
    [InlineData("""{ "equals": 5 }""", """{ "v": 5.0 }""")]
    [InlineData("""{ "equals": 5 }""", """{ "v": 5e0 }""")]
    [InlineData("""{ "equals": true }""", """{ "v": true }""")]
    [InlineData("""{ "equals": null }""", """{ "v": null }""")]
    [InlineData("""{ "equals": { "a": [1, 2] } }""", """{ "v": { "a": [1, 2] } }""")]
    [InlineData("""{ "in": ["a", "b"] }""", """{ "v": "b" }""")]
    [InlineData("""{ "in": [1, 2] }""", """{ "v": 2.00 }""")]
    [InlineData("""{ "notIn": ["rm", "dd"] }""", """{ "v": "ls" }""")]
    [InlineData("""{ "pattern": "^/srv/" }""", """{ "v": "/srv/data" }""")]
    [InlineData("""{ "pattern": "txt" }""", """{ "v": "a.txt.bak" }""")]
    [InlineData("""{ "min": 0, "max": 1000 }""", """{ "v": 1000 }""")]
    [InlineData("""{ "min": 0, "max": 1000 }""", """{ "v": 0 }""")]
    [InlineData("""{ "min": 0, "max": 1000 }""", """{ "v": "999.5" }""")]
    [InlineData("""{ "min": 0.1 }""", """{ "v": 1e30 }""")]
    [InlineData("""{ "minLength": 2, "maxLength": 3 }""", """{ "v": "abc" }""")]
    [InlineData("""{ "required": true }""", """{ "v": 0 }""")]
    public void Value_within_the_constraint_passes(string condition, string arguments)
        => AssertHolds("v", condition, arguments);

    [Theory]
    [InlineData("""{ "equals": "a" }""", """{ "v": "A" }""")]
    [InlineData("""{ "equals": 5 }""", """{ "v": 6 }""")]
    [InlineData("""{ "equals": true }""", """{ "v": false }""")]
    [InlineData("""{ "in": ["a", "b"] }""", """{ "v": "c" }""")]
    [InlineData("""{ "notIn": ["rm", "dd"] }""", """{ "v": "rm" }""")]
    [InlineData("""{ "notIn": [5] }""", """{ "v": 5.0 }""")]
    [InlineData("""{ "pattern": "^/srv/" }""", """{ "v": "/etc/srv/" }""")]
    [InlineData("""{ "min": 0, "max": 1000 }""", """{ "v": 1000.01 }""")]
    [InlineData("""{ "min": 0, "max": 1000 }""", """{ "v": -1 }""")]
    [InlineData("""{ "max": 1000 }""", """{ "v": 1e30 }""")]
    [InlineData("""{ "max": 1000 }""", """{ "v": 1e400 }""")]
    [InlineData("""{ "minLength": 2, "maxLength": 3 }""", """{ "v": "abcd" }""")]
    [InlineData("""{ "minLength": 2, "maxLength": 3 }""", """{ "v": "a" }""")]
    public void Value_outside_the_constraint_violates_it(string condition, string arguments)
        => AssertViolated("v", condition, arguments);

    [Theory]
    [InlineData("""{ "in": ["true"] }""", """{ "v": true }""")]
    [InlineData("""{ "pattern": "5" }""", """{ "v": 5 }""")]
    [InlineData("""{ "max": 1000 }""", """{ "v": "cheap" }""")]
    [InlineData("""{ "max": 1000 }""", """{ "v": true }""")]
    [InlineData("""{ "max": 1000 }""", """{ "v": null }""")]
    [InlineData("""{ "max": 1000 }""", """{ "v": { "amount": 1 } }""")]
    [InlineData("""{ "min": 0 }""", """{ "v": "NaN" }""")]
    [InlineData("""{ "min": 0 }""", """{ "v": "" }""")]
    [InlineData("""{ "maxLength": 10 }""", """{ "v": 42 }""")]
    [InlineData("""{ "minLength": 0 }""", """{ "v": ["a"] , "w": 1 }""", "w")]
    public void Value_of_the_wrong_type_violates_the_constraint(string condition, string arguments, string key = "v")
        => AssertViolated(key, condition, arguments);

    [Theory]
    [InlineData("""{ "v": "5000" }""")]
    [InlineData("""{ "v": "1e4" }""")]
    [InlineData("""{ "v": "  5000" }""")]
    [InlineData("""{ "v": "\u0035000" }""")]
    [InlineData("""{ "v": "79228162514264337593543950336000" }""")]
    public void Numeric_string_cannot_slip_past_a_maximum(string arguments)
        => AssertViolated("v", """{ "max": 1000 }""", arguments);

    [Fact]
    public void Negative_numeric_string_is_compared_as_a_number()
        => AssertViolated("v", """{ "min": 0 }""", """{ "v": "-5000" }""");

    [Theory]
    [InlineData("""{ "v": "ééé" }""", true)]
    [InlineData("""{ "v": "éééé" }""", false)]
    [InlineData("""{ "v": "😀😀😀" }""", true)]
    [InlineData("""{ "v": "😀😀😀😀" }""", false)]
    [InlineData("""{ "v": "\u00e9\u00e9\u00e9" }""", true)]
    [InlineData("""{ "v": "\u00e9\u00e9\u00e9\u00e9" }""", false)]
    [InlineData("""{ "v": "\ud83d\ude00\ud83d\ude00\ud83d\ude00" }""", true)]
    [InlineData("""{ "v": "\ud83d\ude00\ud83d\ude00\ud83d\ude00\ud83d\ude00" }""", false)]
    [InlineData("""{ "v": "a\"b" }""", true)]
    [InlineData("""{ "v": "a\"bc" }""", false)]
    public void Length_counts_unicode_code_points_of_the_decoded_string(string arguments, bool holds)
    {
        if (holds)
        {
            AssertHolds("v", """{ "maxLength": 3 }""", arguments);
        }
        else
        {
            AssertViolated("v", """{ "maxLength": 3 }""", arguments);
        }
    }

    [Fact]
    public void Minimum_length_counts_code_points_not_utf16_units()
        => AssertViolated("v", """{ "minLength": 2 }""", """{ "v": "😀" }""");

    [Theory]
    [InlineData("""{ "v": "\u002Fsrv/x" }""", true)]
    [InlineData("""{ "v": "\/srv\/x" }""", true)]
    [InlineData("""{ "v": "\u002Fetc/x" }""", false)]
    [InlineData("""{ "v": "/srv/\u00e9" }""", true)]
    public void Pattern_sees_the_decoded_string(string arguments, bool holds)
    {
        if (holds)
        {
            AssertHolds("v", """{ "pattern": "^/srv/" }""", arguments);
        }
        else
        {
            AssertViolated("v", """{ "pattern": "^/srv/" }""", arguments);
        }
    }

    [Fact]
    public void Pattern_matches_a_long_non_ascii_string()
    {
        var value = new string('é', 300) + "end";

        AssertHolds("v", """{ "pattern": "end$", "minLength": 303, "maxLength": 303 }""", $$"""{ "v": "{{value}}" }""");
        AssertViolated("v", """{ "pattern": "^x" }""", $$"""{ "v": "{{value}}" }""");
    }

    [Fact]
    public void Absent_argument_passes_unless_required()
    {
        AssertHolds("v", """{ "max": 5 }""", """{ "w": 50 }""");
        AssertHolds("v", """{ "max": 5 }""", "{}");
        AssertViolated("v", """{ "max": 5, "required": true }""", """{ "w": 50 }""");
        AssertViolated("v", """{ "required": true }""", "{}");
    }

    [Fact]
    public void Argument_names_are_case_sensitive()
        => AssertHolds("v", """{ "max": 5 }""", """{ "V": 50 }""");

    [Theory]
    [InlineData("""{ "v": [1, 2, 3] }""", true)]
    [InlineData("""{ "v": [] }""", true)]
    [InlineData("""{ "v": [1, 20] }""", false)]
    [InlineData("""{ "v": [20, 1] }""", false)]
    [InlineData("""{ "v": [1, "x"] }""", false)]
    [InlineData("""{ "v": [1, "20"] }""", false)]
    public void Constraint_on_an_array_applies_to_every_element(string arguments, bool holds)
    {
        if (holds)
        {
            AssertHolds("v", """{ "max": 10 }""", arguments);
        }
        else
        {
            AssertViolated("v", """{ "max": 10 }""", arguments);
        }
    }

    [Fact]
    public void Membership_constraint_on_an_array_checks_every_element()
    {
        AssertHolds("tags", """{ "in": ["a", "b", "c"] }""", """{ "tags": ["c", "a"] }""");
        AssertViolated("tags", """{ "in": ["a", "b", "c"] }""", """{ "tags": ["a", "z"] }""");
        AssertViolated("tags", """{ "notIn": ["z"] }""", """{ "tags": ["a", "z"] }""");
    }

    [Theory]
    [InlineData("""{ "options": { "target": "/tmp/a" } }""", true)]
    [InlineData("""{ "options": { "target": "/etc/passwd" } }""", false)]
    [InlineData("""{ "options": { "target": ["/tmp/a", "/etc/passwd"] } }""", false)]
    [InlineData("""{ "options": { "other": "/etc/passwd" } }""", true)]
    [InlineData("""{ "options": "/etc/passwd" }""", true)]
    [InlineData("""{ "target": "/etc/passwd" }""", true)]
    public void Nested_argument_is_addressed_with_a_json_pointer(string arguments, bool holds)
    {
        if (holds)
        {
            AssertHolds("/options/target", """{ "pattern": "^/tmp/" }""", arguments);
        }
        else
        {
            AssertViolated("/options/target", """{ "pattern": "^/tmp/" }""", arguments);
        }
    }

    [Fact]
    public void Required_nested_argument_must_be_present()
        => AssertViolated("/options/target", """{ "pattern": "^/tmp/", "required": true }""", """{ "options": {} }""");

    [Theory]
    [InlineData("""{ "items": ["a", "b"] }""", true)]
    [InlineData("""{ "items": ["b", "a"] }""", false)]
    [InlineData("""{ "items": ["b"] }""", true)]
    [InlineData("""{ "items": { "1": "a" } }""", false)]
    public void Array_element_is_addressed_by_index(string arguments, bool holds)
    {
        if (holds)
        {
            AssertHolds("/items/1", """{ "equals": "b" }""", arguments);
        }
        else
        {
            AssertViolated("/items/1", """{ "equals": "b" }""", arguments);
        }
    }

    [Fact]
    public void Array_index_with_a_leading_zero_does_not_resolve()
        => AssertHolds("/items/01", """{ "equals": "b" }""", """{ "items": ["a", "x"] }""");

    [Fact]
    public void Pointer_escapes_name_slashes_and_tildes()
    {
        AssertHolds("/a~1b/c~0d", """{ "equals": 1 }""", """{ "a/b": { "c~d": 1 } }""");
        AssertViolated("/a~1b/c~0d", """{ "equals": 1 }""", """{ "a/b": { "c~d": 2 } }""");
        AssertHolds("/a~1b/c~0d", """{ "equals": 1 }""", """{ "a": { "b": { "c~d": 2 } } }""");
    }

    [Fact]
    public void Violation_raises_to_the_entry_on_violation_risk()
    {
        var decision = Check("amount", """{ "max": 100 }""", """{ "amount": 500 }""", onViolation: "High");

        Assert.Equal(RiskLevel.High, decision.Risk);
        var reason = decision.Reasons[1];
        Assert.Equal(("tools[0].arguments.amount", RiskLevel.High), (reason.Id, reason.Risk));
        Assert.Contains("amount", reason.Message, StringComparison.Ordinal);
        Assert.Contains("must be at most 100", reason.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constraints_of_every_matching_entry_apply()
    {
        var evaluator = Policies.FromJson("""
            { "tools": [
                { "match": "bank/*", "risk": "Low", "arguments": { "amount": { "max": 100 } } },
                { "match": "bank/send_money", "risk": "Low", "arguments": { "to": { "notIn": ["mallory"] } } }
            ] }
            """);

        var decision = evaluator.Evaluate(Calls.Known("bank/send_money", """{ "amount": 500, "to": "bob" }"""));
        Assert.Equal(["tools[1]", "tools[0].arguments.amount"], decision.Ids());
        Assert.Equal(RiskLevel.Block, decision.Risk);
        Assert.Equal(["tools[1]", "tools[1].arguments.to"], evaluator.Evaluate(Calls.Known("bank/send_money", """{ "amount": 5, "to": "mallory" }""")).Ids());
        Assert.Equal(RiskLevel.Low, evaluator.Evaluate(Calls.Known("bank/send_money", """{ "amount": 5, "to": "bob" }""")).Risk);
    }

    [Fact]
    public void Every_violation_below_block_is_listed()
    {
        var evaluator = Policies.FromJson("""
            { "tools": [ { "match": "t/x", "risk": "Low", "onViolation": "High",
                           "arguments": { "a": { "max": 1 }, "b": { "max": 1 }, "c": { "max": 1 } } } ] }
            """);

        var decision = evaluator.Evaluate(Calls.Known("t/x", """{ "a": 2, "b": 0, "c": 2 }"""));

        Assert.Equal(["tools[0]", "tools[0].arguments.a", "tools[0].arguments.c"], decision.Ids());
    }

    [Fact]
    public void Constraints_built_in_code_behave_like_those_read_from_json()
    {
        var evaluator = Policies.Evaluator(o =>
        {
            var tool = new ToolPolicy("t/x", RiskLevel.Low);
            tool.Arguments["mode"] = ArgumentCondition.OneOf("r", "rw");
            tool.Arguments["count"] = ArgumentCondition.Equal(3);
            tool.Arguments["user"] = ArgumentCondition.NoneOf("root");
            o.Tools.Add(tool);
        });

        Assert.Equal(RiskLevel.Low, evaluator.Evaluate(Calls.Known("t/x", """{ "mode": "rw", "count": 3, "user": "bob" }""")).Risk);
        Assert.Equal(RiskLevel.Block, evaluator.Evaluate(Calls.Known("t/x", """{ "mode": "x" }""")).Risk);
        Assert.Equal(RiskLevel.Block, evaluator.Evaluate(Calls.Known("t/x", """{ "count": 3.5 }""")).Risk);
        Assert.Equal(RiskLevel.Block, evaluator.Evaluate(Calls.Known("t/x", """{ "user": "root" }""")).Risk);
    }
}
