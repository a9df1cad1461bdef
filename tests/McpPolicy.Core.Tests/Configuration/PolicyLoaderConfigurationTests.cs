using System.Text;
using McpPolicy.Core.Tests.TestSupport;
using Microsoft.Extensions.Configuration;

namespace McpPolicy.Core.Tests.Configuration;

public sealed class PolicyLoaderConfigurationTests
{
    private static IConfigurationSection Section(params (string Key, string? Value)[] values)
        => new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value)))
            .Build()
            .GetSection("McpPolicy");

    private static IConfigurationSection AppSettings(string json)
        => new ConfigurationBuilder()
            .AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json)))
            .Build()
            .GetSection("McpPolicy");

    [Fact]
    public void Format_example_in_appsettings_reads_like_the_policy_file()
    {
        var fromFile = PolicyLoader.FromJson(PolicyLoaderJsonTests.FormatExample);
        var fromConfiguration = PolicyLoader.FromConfiguration(AppSettings("{ \"McpPolicy\": " + PolicyLoaderJsonTests.FormatExample + " }"));

        Assert.Equal(fromFile.Tools.Select(t => (t.Match, t.Risk, t.Reason)), fromConfiguration.Tools.Select(t => (t.Match, t.Risk, t.Reason)));
        Assert.Equal(fromFile.Servers.Select(s => (s.Key, s.Value.Trusted)).Order(), fromConfiguration.Servers.Select(s => (s.Key, s.Value.Trusted)).Order());
        var rule = Assert.Single(fromConfiguration.Rules);
        Assert.Equal(("large-transfer", "bank/send_money", RiskLevel.High, 1000m), (rule.Id, rule.Match, rule.Risk, rule.When["amount"].Min));
        Assert.Equal(TimeSpan.FromMinutes(2), fromConfiguration.Approval.Timeout);

        var evaluator = new PolicyEvaluator(fromConfiguration);
        Assert.Equal(RiskLevel.High, evaluator.Evaluate(Calls.Known("bank/send_money", """{"amount": 5000}""")).Risk);
        Assert.Equal(RiskLevel.Medium, evaluator.Evaluate(Calls.Known("bank/send_money", """{"amount": 5}""")).Risk);
    }

    [Fact]
    public void Configuration_strings_are_read_as_numbers_and_booleans()
    {
        var options = PolicyLoader.FromConfiguration(Section(
            ("McpPolicy:version", "1"),
            ("McpPolicy:servers:docs:trusted", "True"),
            ("McpPolicy:rules:0:id", "big"),
            ("McpPolicy:rules:0:risk", "High"),
            ("McpPolicy:rules:0:when:amount:min", "1000.5"),
            ("McpPolicy:rules:0:when:amount:maxLength", "12"),
            ("McpPolicy:rules:0:when:amount:required", "false"),
            ("McpPolicy:approval:singleUse", "false"),
            ("McpPolicy:approval:timeout", "00:05:00")));

        Assert.True(options.Servers["docs"].Trusted);
        var condition = options.Rules[0].When["amount"];
        Assert.Equal(1000.5m, condition.Min);
        Assert.Equal(12, condition.MaxLength);
        Assert.False(condition.Required);
        Assert.False(options.Approval.SingleUse);
        Assert.Equal(TimeSpan.FromMinutes(5), options.Approval.Timeout);
    }

    [Fact]
    public void Configuration_keys_are_read_in_any_casing()
    {
        var options = PolicyLoader.FromConfiguration(Section(
            ("mcppolicy:DEFAULTS:UNKNOWNTOOL", "medium"),
            ("MCPPOLICY:Tools:0:MATCH", "fs/*"),
            ("McpPolicy:tools:0:Risk", "LOW"),
            ("McpPolicy:tools:0:onviolation", "High")));

        Assert.Equal(RiskLevel.Medium, options.Defaults.UnknownTool);
        var tool = Assert.Single(options.Tools);
        Assert.Equal(("fs/*", RiskLevel.Low, RiskLevel.High), (tool.Match, tool.Risk, tool.OnViolation));
    }

    [Fact]
    public void Configuration_arrays_keep_their_index_order()
    {
        var options = PolicyLoader.FromConfiguration(Section(
            ("McpPolicy:tools:10:match", "k/k"), ("McpPolicy:tools:10:risk", "Block"),
            ("McpPolicy:tools:2:match", "c/c"), ("McpPolicy:tools:2:risk", "Medium"),
            ("McpPolicy:tools:0:match", "a/a"), ("McpPolicy:tools:0:risk", "Low")));

        Assert.Equal(["a/a", "c/c", "k/k"], options.Tools.Select(t => t.Match));
    }

    [Fact]
    public void Configuration_values_compare_leniently_with_argument_values()
    {
        var evaluator = new PolicyEvaluator(PolicyLoader.FromConfiguration(AppSettings("""
            { "McpPolicy": {
                "tools": [ { "match": "bank/*", "risk": "Low" } ],
                "rules": [
                  { "id": "five", "when": { "n": { "equals": 5 } }, "risk": "High" },
                  { "id": "flag", "when": { "f": { "in": [ true ] } }, "risk": "Block" }
                ] } }
            """)));

        Assert.Equal("five", evaluator.Evaluate(Calls.Known("bank/x", """{"n": 5}""")).DecisiveReason.Id);
        Assert.Equal("five", evaluator.Evaluate(Calls.Known("bank/x", """{"n": 5.0}""")).DecisiveReason.Id);
        Assert.Equal("five", evaluator.Evaluate(Calls.Known("bank/x", """{"n": "5"}""")).DecisiveReason.Id);
        Assert.Equal(RiskLevel.Low, evaluator.Evaluate(Calls.Known("bank/x", """{"n": 6}""")).Risk);
        Assert.Equal("flag", evaluator.Evaluate(Calls.Known("bank/x", """{"f": true}""")).DecisiveReason.Id);
        Assert.Equal(RiskLevel.Low, evaluator.Evaluate(Calls.Known("bank/x", """{"f": false}""")).Risk);
    }

    [Fact]
    public void Json_pointer_keys_survive_configuration()
    {
        var options = PolicyLoader.FromConfiguration(Section(
            ("McpPolicy:tools:0:match", "fs/copy"),
            ("McpPolicy:tools:0:risk", "Low"),
            ("McpPolicy:tools:0:arguments:/options/target:pattern", "^/tmp/")));
        var evaluator = new PolicyEvaluator(options);

        Assert.Equal(["/options/target"], options.Tools[0].Arguments.Keys);
        Assert.Equal(RiskLevel.Low, evaluator.Evaluate(Calls.Known("fs/copy", """{"options": {"target": "/tmp/x"}}""")).Risk);
        Assert.Equal(RiskLevel.Block, evaluator.Evaluate(Calls.Known("fs/copy", """{"options": {"target": "/etc/x"}}""")).Risk);
    }

    [Fact]
    public void Unknown_configuration_key_names_its_path_and_configuration_key()
    {
        var ex = Assert.Throws<PolicyValidationException>(() => PolicyLoader.FromConfiguration(Section(
            ("McpPolicy:tools:0:mtch", "fs/*"),
            ("McpPolicy:tools:0:risk", "Low"))));

        var error = Assert.Single(ex.Errors, e => e.Path == "$.tools[0].mtch");
        Assert.Equal("configuration key 'McpPolicy:tools:0:mtch'", error.Location);
    }

    [Theory]
    [InlineData("McpPolicy:servers:fs:trusted", "yes", "$.servers.fs.trusted")]
    [InlineData("McpPolicy:version", "one", "$.version")]
    [InlineData("McpPolicy:defaults:risk", "Severe", "$.defaults.risk")]
    [InlineData("McpPolicy:approval:timeout", "later", "$.approval.timeout")]
    public void Configuration_value_that_does_not_parse_names_its_path(string key, string value, string path)
    {
        var ex = Assert.Throws<PolicyValidationException>(() => PolicyLoader.FromConfiguration(Section((key, value))));

        var error = Assert.Single(ex.Errors);
        Assert.Equal(path, error.Path);
        Assert.Equal($"configuration key '{key}'", error.Location);
    }

    [Fact]
    public void Limits_and_kill_switch_sections_in_configuration_are_read()
    {
        var options = PolicyLoader.FromConfiguration(Section(
            ("McpPolicy:limits:perConversation:maxCalls", "200"),
            ("McpPolicy:limits:perTool:fs/*:perMinute", "60"),
            ("McpPolicy:limits:perTool:fs/*:timeout", "00:00:30"),
            ("McpPolicy:killSwitch:0", "server:shell"),
            ("McpPolicy:killSwitch:1:scope", "fs/write_*"),
            ("McpPolicy:killSwitch:1:reason", "incident")));

        Assert.Equal(200, options.Limits.PerConversation.MaxCalls);
        Assert.Equal(60, options.Limits.PerTool["fs/*"].PerMinute);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Limits.PerTool["fs/*"].Timeout);
        Assert.Equal(["killswitch:server:shell", "killswitch:fs/write_*"], options.KillSwitch.Select(e => e.Scope.Id));
        Assert.Equal("incident", options.KillSwitch[1].Reason);
    }

    [Fact]
    public void Empty_lists_in_appsettings_are_accepted()
    {
        var options = PolicyLoader.FromConfiguration(AppSettings("""
            { "McpPolicy": { "servers": {}, "tools": [], "rules": [ { "id": "r", "risk": "High", "when": { "a": { "notIn": [] } } } ] } }
            """));

        Assert.Empty(options.Tools);
        Assert.Empty(options.Servers);
        Assert.Empty(options.Rules[0].When["a"].NotIn!);
    }

    [Fact]
    public void Missing_section_reads_as_the_default_policy()
    {
        var options = PolicyLoader.FromConfiguration(Section());

        Assert.Empty(options.Tools);
        Assert.Equal(RiskLevel.Medium, options.Defaults.Risk);
    }

    [Fact]
    public void Invalid_configuration_leaves_existing_options_unchanged()
    {
        var target = PolicyLoader.FromJson(PolicyLoaderJsonTests.FormatExample);

        Assert.Throws<PolicyValidationException>(() => PolicyLoader.ApplyConfiguration(target, Section(
            ("McpPolicy:defaults:risk", "Low"),
            ("McpPolicy:tools:0:match", "x/y"),
            ("McpPolicy:tools:0:risk", "Low"),
            ("McpPolicy:tools:1:match", "x/z"))));

        Assert.Equal(RiskLevel.Medium, target.Defaults.Risk);
        Assert.Equal(5, target.Tools.Count);
    }
}
