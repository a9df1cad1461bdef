using System.Text;
using Microsoft.Extensions.Configuration;

namespace McpPolicy.Core.Tests.Configuration;

/// <summary>Reading the <c>labels</c>, <c>chains</c> and <c>flows</c> sections (enforced by McpPolicy.Chains).</summary>
public sealed class PolicyLoaderFlowTests
{
    private const string Example = """
        {
          "labels": {
            "web/*":          ["untrustedSource"],
            "email/read_*":   ["untrustedSource", "PRIVATEDATA"],
            "secrets/*":      ["privateData"],
            "email/send_*":   ["externalSink", "destructive"],
            "notes/*":        []
          },
          "chains": [
            { "id": "docs-secret-egress", "sequence": ["docs/search", "secrets/*", "http/*"],
              "within": { "calls": 20 }, "risk": "Block" },
            { "id": "big-transfer", "sequence": ["bank/lookup", { "match": "bank/send", "when": { "amount": { "min": 1000 } } }],
              "within": { "time": "00:10:00" }, "risk": "High", "reason": "large transfer after a lookup" }
          ],
          "flows": {
            "untrustedThenPrivateThenSink": "Block",
            "taint": { "minLength": 16, "risk": "Medium",
                       "arguments": { "bank/send_money": { "recipient": "High" }, "email/send_*": { "to": "High", "/cc/0": "Block" } } }
          }
        }
        """;

    [Fact]
    public void Labels_chains_and_flows_are_read()
    {
        var o = PolicyLoader.FromJson(Example);

        Assert.Equal(FlowLabels.UntrustedSource | FlowLabels.PrivateData, o.Labels["email/read_*"]);
        Assert.Equal(FlowLabels.ExternalSink | FlowLabels.Destructive, o.Labels["email/send_*"]);
        Assert.Equal(FlowLabels.None, o.Labels["notes/*"]);
        Assert.Equal(5, o.Labels.Count);

        Assert.Equal(["docs/search", "secrets/*", "http/*"], o.Chains[0].Sequence.Select(s => s.Match));
        Assert.Equal((20, (TimeSpan?)null, RiskLevel.Block), (o.Chains[0].WithinCalls, o.Chains[0].WithinTime, o.Chains[0].Risk));
        Assert.Equal(1000m, o.Chains[1].Sequence[1].When["amount"].Min);
        Assert.Equal(TimeSpan.FromMinutes(10), o.Chains[1].WithinTime);
        Assert.Equal("large transfer after a lookup", o.Chains[1].Reason);
        Assert.Equal("policy line 10, column 5", o.Chains[0].Source);

        Assert.Equal(RiskLevel.Block, o.Flows.UntrustedThenPrivateThenSink);
        Assert.Equal((16, RiskLevel.Medium), (o.Flows.Taint.MinLength, o.Flows.Taint.Risk));
        Assert.Equal(RiskLevel.Block, o.Flows.Taint.Arguments["email/send_*"]["/cc/0"]);
        Assert.Equal(RiskLevel.High, o.Flows.Taint.Arguments["bank/send_money"]["recipient"]);
    }

    [Fact]
    public void Defaults_apply_when_flows_are_absent()
    {
        var o = PolicyLoader.FromJson("{}");

        Assert.Equal(RiskLevel.High, o.Flows.UntrustedThenPrivateThenSink);
        Assert.Equal((12, RiskLevel.Low), (o.Flows.Taint.MinLength, o.Flows.Taint.Risk));
        Assert.Empty(o.Labels);
        Assert.Empty(o.Chains);
    }

    [Theory]
    [InlineData("""{ "labels": { "web/*": ["untrusted"] } }""", "$.labels.web/*[0]", "expected a flow label (untrustedSource, privateData, externalSink, destructive), found the string \"untrusted\"")]
    [InlineData("""{ "labels": { "web/*": "untrustedSource" } }""", "$.labels.web/*", "expected an array of labels")]
    [InlineData("""{ "labels": [] }""", "$.labels", "expected an object keyed by server/tool pattern")]
    [InlineData("""{ "chains": [ { "sequence": ["a/b", "c/d"], "risk": "High" } ] }""", "$.chains[0]", "a chain needs an 'id'")]
    [InlineData("""{ "chains": [ { "id": "c", "risk": "High" } ] }""", "$.chains[0]", "a chain needs a 'sequence'")]
    [InlineData("""{ "chains": [ { "id": "c", "sequence": ["a/b", "c/d"] } ] }""", "$.chains[0]", "a chain needs 'risk'")]
    [InlineData("""{ "chains": [ { "id": "c", "sequence": ["a/b", 5], "risk": "High" } ] }""", "$.chains[0].sequence[1]", "expected a server/tool pattern or an object")]
    [InlineData("""{ "chains": [ { "id": "c", "sequence": ["a/b", { "when": {} }], "risk": "High" } ] }""", "$.chains[0].sequence[1]", "a chain step needs 'match'")]
    [InlineData("""{ "chains": [ { "id": "c", "sequence": ["a/b", { "match": "c/d", "if": {} }], "risk": "High" } ] }""", "$.chains[0].sequence[1].if", "unknown key 'if'")]
    [InlineData("""{ "chains": [ { "id": "c", "sequence": ["a/b", "c/d"], "within": { "calls": 0 }, "risk": "High" } ] }""", "$.chains[0].within.calls", "'calls' must be at least 1")]
    [InlineData("""{ "chains": [ { "id": "c", "sequence": ["a/b", "c/d"], "within": { "time": "600" }, "risk": "High" } ] }""", "$.chains[0].within.time", "not a positive time span")]
    [InlineData("""{ "chains": [ { "id": "c", "sequence": ["a/b", "c/d"], "within": { "steps": 2 }, "risk": "High" } ] }""", "$.chains[0].within.steps", "unknown key 'steps'")]
    [InlineData("""{ "flows": { "untrustedThenPrivateThenSink": "Severe" } }""", "$.flows.untrustedThenPrivateThenSink", "expected a risk level")]
    [InlineData("""{ "flows": { "lethal": "High" } }""", "$.flows.lethal", "unknown key 'lethal'")]
    [InlineData("""{ "flows": { "taint": { "minLength": 2 } } }""", "$.flows.taint.minLength", "'minLength' must be between 4 and 256, found 2")]
    [InlineData("""{ "flows": { "taint": { "arguments": { "a/b": { "x": "Hi" } } } } }""", "$.flows.taint.arguments.a/b.x", "expected a risk level")]
    [InlineData("""{ "flows": { "taint": { "arguments": { "a/b": ["x"] } } } }""", "$.flows.taint.arguments.a/b", "expected an object keyed by argument name")]
    public void Invalid_flow_sections_are_rejected_naming_the_key(string json, string path, string message)
    {
        var ex = Assert.Throws<PolicyValidationException>(() => PolicyLoader.FromJson(json));

        var error = Assert.Single(ex.Errors);
        Assert.Equal(path, error.Path);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("policy line ", error.Location, StringComparison.Ordinal);
    }

    [Fact]
    public void Appsettings_reads_like_the_policy_file()
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes("{ \"McpPolicy\": " + Example + " }")))
            .Build()
            .GetSection("McpPolicy");

        var fromFile = PolicyLoader.FromJson(Example);
        var fromConfiguration = PolicyLoader.FromConfiguration(configuration);

        Assert.Equal(fromFile.Labels.OrderBy(l => l.Key, StringComparer.Ordinal), fromConfiguration.Labels.OrderBy(l => l.Key, StringComparer.Ordinal));
        Assert.Equal(fromFile.Chains.Select(c => (c.Id, c.WithinCalls, c.WithinTime, c.Risk, c.Sequence.Count)), fromConfiguration.Chains.Select(c => (c.Id, c.WithinCalls, c.WithinTime, c.Risk, c.Sequence.Count)));
        Assert.Equal("1000", fromConfiguration.Chains[1].Sequence[1].When["amount"].Min?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(fromFile.Flows.Taint.MinLength, fromConfiguration.Flows.Taint.MinLength);
        Assert.Equal(RiskLevel.Block, fromConfiguration.Flows.Taint.Arguments["email/send_*"]["/cc/0"]);
        Assert.Equal("configuration key 'McpPolicy:chains:0'", fromConfiguration.Chains[0].Source);
    }

    [Fact]
    public void Sources_merge_labels_by_pattern_append_chains_and_replace_the_flow_scalars_they_set()
    {
        var o = PolicyLoader.FromJson(Example);

        PolicyLoader.ApplyJson(o, """
            {
              "labels": { "web/*": ["untrustedSource", "externalSink"], "files/*": ["privateData"] },
              "chains": [ { "id": "more", "sequence": ["a/b", "c/d"], "risk": "High" } ],
              "flows": { "taint": { "minLength": 20, "arguments": { "bank/send_money": { "amount": "Medium" } } } }
            }
            """);

        Assert.Equal(FlowLabels.UntrustedSource | FlowLabels.ExternalSink, o.Labels["web/*"]);
        Assert.Equal(FlowLabels.PrivateData, o.Labels["files/*"]);
        Assert.Equal(["docs-secret-egress", "big-transfer", "more"], o.Chains.Select(c => c.Id));
        Assert.Equal(RiskLevel.Block, o.Flows.UntrustedThenPrivateThenSink);
        Assert.Equal((20, RiskLevel.Medium), (o.Flows.Taint.MinLength, o.Flows.Taint.Risk));
        Assert.Equal(RiskLevel.High, o.Flows.Taint.Arguments["bank/send_money"]["recipient"]);
        Assert.Equal(RiskLevel.Medium, o.Flows.Taint.Arguments["bank/send_money"]["amount"]);
    }

    [Fact]
    public void An_invalid_flow_section_applies_nothing()
    {
        var o = PolicyLoader.FromJson(Example);

        Assert.Throws<PolicyValidationException>(() => PolicyLoader.ApplyJson(o, """{ "labels": { "x/*": ["privateData"] }, "flows": { "taint": { "minLength": "x" } } }"""));

        Assert.False(o.Labels.ContainsKey("x/*"));
        Assert.Equal(16, o.Flows.Taint.MinLength);
    }

    [Fact]
    public void The_reference_example_of_a_bad_label_reads_as_documented()
    {
        var ex = Assert.Throws<PolicyValidationException>(() => PolicyLoader.FromJson(
            "// invalid: four problems, all reported\n{\n  \"tools\": [ { \"match\": \"fs/read\", \"risk\": \"Hgh\", \"severity\": 1 } ],\n  \"rules\": [ { \"risk\": \"High\" } ],\n  \"labels\": { \"web/*\": [\"untrusted\"] }\n}",
            "policy.json"));

        Assert.Contains(
            "$.labels.web/*[0] (policy.json line 5, column 25): expected a flow label (untrustedSource, privateData, externalSink, destructive), found the string \"untrusted\"",
            ex.Message,
            StringComparison.Ordinal);
    }
}
