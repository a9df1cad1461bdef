using System.Text.Json;
using McpPolicy.Core.Tests.Configuration;
using McpPolicy.Core.Tests.TestSupport;

namespace McpPolicy.Core.Tests.Engine;

public sealed class PolicyVersionTests
{
    private static McpPolicyOptions FormatExampleInCode()
    {
        var o = new McpPolicyOptions();
        o.Defaults.Risk = RiskLevel.Medium;
        o.Defaults.UnknownTool = RiskLevel.Block;
        o.Defaults.ChangedTool = RiskLevel.Block;
        o.Servers["fs"] = new ServerPolicy { Trusted = false };
        o.Servers["docs"] = new ServerPolicy { Trusted = true };
        o.Tools.Add(new ToolPolicy("fs/read_text_file", RiskLevel.Low));
        o.Tools.Add(new ToolPolicy("fs/write_*", RiskLevel.High));
        o.Tools.Add(new ToolPolicy("*/delete_*", RiskLevel.Block) { Reason = "deleting is not allowed here" });
        o.Tools.Add(new ToolPolicy("http/fetch", RiskLevel.Medium));
        o.Tools.Add(new ToolPolicy("shell/run", RiskLevel.High));
        var rule = new RulePolicy("large-transfer", "bank/send_money", RiskLevel.High) { Reason = "transfers of 1000 or more need approval" };
        rule.When["amount"] = new ArgumentCondition { Min = 1000 };
        o.Rules.Add(rule);
        o.Approval.Timeout = TimeSpan.FromMinutes(2);
        o.Approval.SingleUse = true;
        return o;
    }

    private static string VersionOf(Action<McpPolicyOptions> change, params IPolicyRule[] rules)
    {
        var options = FormatExampleInCode();
        change(options);
        return new PolicyEvaluator(options, rules).PolicyVersion;
    }

    [Fact]
    public void Version_is_a_sha256_hex_string()
    {
        var version = new PolicyEvaluator(FormatExampleInCode()).PolicyVersion;

        Assert.Matches("^[0-9a-f]{64}$", version);
    }

    [Fact]
    public void Same_policy_loaded_from_json_or_built_in_code_has_the_same_version()
    {
        var fromJson = new PolicyEvaluator(PolicyLoader.FromJson(PolicyLoaderJsonTests.FormatExample)).PolicyVersion;
        var fromCode = new PolicyEvaluator(FormatExampleInCode()).PolicyVersion;

        Assert.Equal(fromCode, fromJson);
    }

    [Fact]
    public void Version_is_stable_across_compilations_and_formatting()
    {
        var compact = PolicyLoader.FromJson(JsonSerializer.Serialize(JsonDocument.Parse(PolicyLoaderJsonTests.FormatExample, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })));

        Assert.Equal(new PolicyEvaluator(FormatExampleInCode()).PolicyVersion, new PolicyEvaluator(compact).PolicyVersion);
        Assert.Equal(new PolicyEvaluator(FormatExampleInCode()).PolicyVersion, new PolicyEvaluator(FormatExampleInCode()).PolicyVersion);
    }

    [Fact]
    public void Order_of_rules_and_conditions_does_not_change_the_version()
    {
        var reordered = VersionOf(o =>
        {
            o.Rules.Insert(0, new RulePolicy("another", "*/*", RiskLevel.Medium));
            o.Rules[1].When["currency"] = ArgumentCondition.OneOf("EUR");
        });
        var original = VersionOf(o =>
        {
            var existing = o.Rules[0];
            o.Rules.Clear();
            var copy = new RulePolicy(existing.Id, existing.Match, existing.Risk) { Reason = existing.Reason };
            copy.When["currency"] = ArgumentCondition.OneOf("EUR");
            copy.When["amount"] = existing.When["amount"];
            o.Rules.Add(copy);
            o.Rules.Add(new RulePolicy("another", "*/*", RiskLevel.Medium));
        });

        Assert.Equal(original, reordered);
    }

    public static TheoryData<string> Changes => new(
        "defaults.risk", "defaults.unknownTool", "defaults.changedTool", "server trust", "new server", "tool risk", "tool match",
        "tool reason", "tool onViolation", "tool order", "tool constraint", "rule risk", "rule condition", "rule id", "new rule",
        "approval timeout", "approval singleUse");

    [Theory]
    [MemberData(nameof(Changes))]
    public void Any_change_that_can_alter_decisions_changes_the_version(string change)
    {
        Action<McpPolicyOptions> apply = change switch
        {
            "defaults.risk" => o => o.Defaults.Risk = RiskLevel.Low,
            "defaults.unknownTool" => o => o.Defaults.UnknownTool = RiskLevel.High,
            "defaults.changedTool" => o => o.Defaults.ChangedTool = RiskLevel.High,
            "server trust" => o => o.Servers["fs"].Trusted = true,
            "new server" => o => o.Servers["web"] = new ServerPolicy(),
            "tool risk" => o => o.Tools[0].Risk = RiskLevel.Medium,
            "tool match" => o => o.Tools[0].Match = "fs/read_text_files",
            "tool reason" => o => o.Tools[0].Reason = "reading is fine",
            "tool onViolation" => o => o.Tools[0].OnViolation = RiskLevel.High,
            "tool order" => o => (o.Tools[0], o.Tools[1]) = (o.Tools[1], o.Tools[0]),
            "tool constraint" => o => o.Tools[0].Arguments["path"] = new ArgumentCondition { Pattern = "^/srv/" },
            "rule risk" => o => o.Rules[0].Risk = RiskLevel.Block,
            "rule condition" => o => o.Rules[0].When["amount"].Min = 1001,
            "rule id" => o => o.Rules[0].Id = "big-transfer",
            "new rule" => o => o.Rules.Add(new RulePolicy("another", "*/*", RiskLevel.Medium)),
            "approval timeout" => o => o.Approval.Timeout = TimeSpan.FromMinutes(3),
            "approval singleUse" => o => o.Approval.SingleUse = false,
            _ => throw new ArgumentOutOfRangeException(nameof(change)),
        };

        Assert.NotEqual(VersionOf(_ => { }), VersionOf(apply));
    }

    [Fact]
    public void Adding_a_custom_rule_changes_the_version()
        => Assert.NotEqual(VersionOf(_ => { }), VersionOf(_ => { }, new SecretArgumentRule()));

    [Fact]
    public void Registration_order_of_custom_rules_does_not_change_the_version()
    {
        var a = new CountingRule("a", RuleVerdict.NoOpinion);
        var b = new SecretArgumentRule();

        Assert.Equal(VersionOf(_ => { }, a, b), VersionOf(_ => { }, b, a));
    }

    [Fact]
    public void Key_casing_and_property_order_do_not_change_the_version()
    {
        var plain = new PolicyEvaluator(PolicyLoader.FromJson("""{ "tools": [ { "match": "a/b", "risk": "Low" } ] }""")).PolicyVersion;
        var same = new PolicyEvaluator(PolicyLoader.FromJson("""{ "TOOLS": [ { "risk": "low", "match": "a/b" } ] }""")).PolicyVersion;

        Assert.Equal(plain, same);
    }
}
