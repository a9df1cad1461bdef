using McpPolicy.Core.Tests.TestSupport;

namespace McpPolicy.Core.Tests.Engine;

public sealed class PolicyCompilerErrorTests
{
    private static PolicyError SingleError(Action<McpPolicyOptions> configure, params IPolicyRule[] rules)
    {
        var ex = Assert.Throws<PolicyValidationException>(() => Policies.Evaluator(configure, rules));
        return Assert.Single(ex.Errors);
    }

    [Theory]
    [InlineData("fs")]
    [InlineData("/read")]
    [InlineData("fs/")]
    [InlineData("")]
    [InlineData("a/**")]
    [InlineData("**/x")]
    public void Malformed_tool_pattern_names_its_path(string match)
    {
        var error = SingleError(o =>
        {
            o.Tools.Add(new ToolPolicy("fs/ok", RiskLevel.Low));
            o.Tools.Add(new ToolPolicy(match, RiskLevel.Low));
        });

        Assert.Equal("$.tools[1].match", error.Path);
    }

    [Fact]
    public void Malformed_rule_pattern_names_its_path()
    {
        var error = SingleError(o => o.Rules.Add(new RulePolicy("r", "a/**", RiskLevel.High)));

        Assert.Equal("$.rules[0].match", error.Path);
        Assert.Contains("'**'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Minimum_above_maximum_names_the_condition()
    {
        var error = SingleError(o =>
        {
            o.Tools.Add(new ToolPolicy("bank/*", RiskLevel.Low));
            o.Tools[0].Arguments["amount"] = new ArgumentCondition { Min = 10, Max = 5 };
        });

        Assert.Equal("$.tools[0].arguments.amount", error.Path);
        Assert.Contains("min (10) is greater than max (5)", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(5, 4)]
    [InlineData(-1, null)]
    [InlineData(null, -1)]
    public void Impossible_length_bounds_name_the_condition(int? minLength, int? maxLength)
    {
        var error = SingleError(o =>
        {
            var rule = new RulePolicy("r", "*/*", RiskLevel.High);
            rule.When["name"] = new ArgumentCondition { MinLength = minLength, MaxLength = maxLength };
            o.Rules.Add(rule);
        });

        Assert.Equal("$.rules[0].when.name", error.Path);
    }

    [Fact]
    public void Empty_condition_names_its_path()
    {
        var error = SingleError(o =>
        {
            var rule = new RulePolicy("r", "*/*", RiskLevel.High);
            rule.When["amount"] = new ArgumentCondition();
            o.Rules.Add(rule);
        });

        Assert.Equal("$.rules[0].when.amount", error.Path);
        Assert.Contains("empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_condition_read_from_json_names_its_path_and_position()
    {
        var options = PolicyLoader.FromJson("{\n  \"tools\": [\n    { \"match\": \"fs/*\", \"risk\": \"Low\", \"arguments\": { \"path\": {} } }\n  ]\n}", "policy.json");

        var ex = Assert.Throws<PolicyValidationException>(() => new PolicyEvaluator(options));

        var error = Assert.Single(ex.Errors);
        Assert.Equal("$.tools[0].arguments.path", error.Path);
        Assert.Equal("policy.json line 3, column 5", error.Location);
    }

    [Theory]
    [InlineData("(a)\\1")]
    [InlineData("(?<x>a)\\k<x>")]
    [InlineData("a(?=b)")]
    [InlineData("(?<!a)b")]
    [InlineData("(?>a+)b")]
    [InlineData("(unclosed")]
    public void Pattern_that_needs_backtracking_or_does_not_parse_names_its_path(string pattern)
    {
        var error = SingleError(o =>
        {
            o.Tools.Add(new ToolPolicy("fs/*", RiskLevel.Low));
            o.Tools[0].Arguments["path"] = new ArgumentCondition { Pattern = pattern };
        });

        Assert.Equal("$.tools[0].arguments.path.pattern", error.Path);
    }

    [Theory]
    [InlineData("/a~2")]
    [InlineData("/a~")]
    [InlineData("/")]
    [InlineData("")]
    public void Malformed_json_pointer_names_its_path(string key)
    {
        var error = SingleError(o =>
        {
            o.Tools.Add(new ToolPolicy("fs/*", RiskLevel.Low));
            o.Tools[0].Arguments[key] = new ArgumentCondition { Required = true };
        });

        Assert.Equal("$.tools[0].arguments." + key, error.Path);
    }

    [Fact]
    public void Duplicate_rule_id_names_both_rules()
    {
        var error = SingleError(o =>
        {
            o.Rules.Add(new RulePolicy("same", "*/*", RiskLevel.High));
            o.Rules.Add(new RulePolicy("same", "fs/*", RiskLevel.Block));
        });

        Assert.Equal("$.rules[1].id", error.Path);
        Assert.Contains("$.rules[0]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Custom_rule_reusing_a_declarative_rule_id_is_rejected()
    {
        var error = SingleError(o => o.Rules.Add(new RulePolicy("secret-argument", "*/*", RiskLevel.High)), new SecretArgumentRule());

        Assert.Equal("rule " + typeof(SecretArgumentRule).FullName, error.Path);
        Assert.Contains("'secret-argument'", error.Message, StringComparison.Ordinal);
        Assert.Contains("$.rules[0]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_custom_rules_with_one_id_are_rejected()
    {
        var error = SingleError(_ => { }, new CountingRule("twin", RuleVerdict.NoOpinion), new CountingRule("twin", RuleVerdict.NoOpinion));

        Assert.Equal("rule " + typeof(CountingRule).FullName, error.Path);
        Assert.Contains("'twin'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    public void Custom_rule_without_an_id_is_rejected(string id)
        => Assert.Equal("rule " + typeof(CountingRule).FullName, SingleError(_ => { }, new CountingRule(id, RuleVerdict.NoOpinion)).Path);

    [Fact]
    public void Declarative_rule_without_an_id_is_rejected()
        => Assert.Equal("$.rules[0].id", SingleError(o => o.Rules.Add(new RulePolicy("", "*/*", RiskLevel.High))).Path);

    [Fact]
    public void Undefined_risk_values_are_rejected()
    {
        var ex = Assert.Throws<PolicyValidationException>(() => Policies.Evaluator(o =>
        {
            o.Defaults.Risk = (RiskLevel)7;
            o.Tools.Add(new ToolPolicy("fs/*", (RiskLevel)(-1)) { OnViolation = (RiskLevel)4 });
            o.Rules.Add(new RulePolicy("r", "*/*", (RiskLevel)9));
        }));

        Assert.Equal(["$.defaults.risk", "$.tools[0].risk", "$.tools[0].onViolation", "$.rules[0].risk"], ex.Errors.Select(e => e.Path));
    }

    [Fact]
    public void Unsupported_version_and_non_positive_timeout_are_rejected()
    {
        var ex = Assert.Throws<PolicyValidationException>(() => Policies.Evaluator(o =>
        {
            o.Version = 2;
            o.Approval.Timeout = TimeSpan.Zero;
        }));

        Assert.Equal(["$.version", "$.approval.timeout"], ex.Errors.Select(e => e.Path));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    public void Malformed_server_id_is_rejected(string id)
        => Assert.Equal("$.servers." + id, SingleError(o => o.Servers[id] = new ServerPolicy()).Path);

    [Fact]
    public void Every_error_is_reported_at_once()
    {
        var ex = Assert.Throws<PolicyValidationException>(() => Policies.Evaluator(o =>
        {
            o.Tools.Add(new ToolPolicy("fs", RiskLevel.Low));
            o.Tools.Add(new ToolPolicy("fs/*", RiskLevel.Low) { Arguments = { ["n"] = new ArgumentCondition { Min = 2, Max = 1 } } });
            o.Rules.Add(new RulePolicy("r", "a/**", RiskLevel.High));
        }));

        Assert.Equal(["$.tools[0].match", "$.tools[1].arguments.n", "$.rules[0].match"], ex.Errors.Select(e => e.Path));
    }

    [Fact]
    public void Compile_error_of_a_policy_file_carries_the_entry_position()
    {
        var options = PolicyLoader.FromJson("{\n  \"rules\": [\n    { \"id\": \"r\", \"match\": \"bank\", \"risk\": \"High\" }\n  ]\n}", "policy.json");

        var ex = Assert.Throws<PolicyValidationException>(() => new PolicyEvaluator(options));

        var error = Assert.Single(ex.Errors);
        Assert.Equal("$.rules[0].match", error.Path);
        Assert.Equal("policy.json line 3, column 5", error.Location);
        Assert.Contains("$.rules[0].match (policy.json line 3, column 5)", ex.Message, StringComparison.Ordinal);
    }
}
