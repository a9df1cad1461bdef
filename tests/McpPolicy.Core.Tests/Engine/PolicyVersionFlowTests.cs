using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace McpPolicy.Core.Tests.Engine;

/// <summary>The policy version covers labels, chains and flows; and those sections need McpPolicy.Chains to be registered.</summary>
public sealed class PolicyVersionFlowTests
{
    private const string Base = """{ "tools": [ { "match": "web/*", "risk": "Low" } ] }""";

    private static string VersionOf(string json) => new PolicyEvaluator(PolicyLoader.FromJson(json)).PolicyVersion;

    private static string With(string section) => """{ "tools": [ { "match": "web/*", "risk": "Low" } ], """ + section + " }";

    public static TheoryData<string> Changes() => new()
    {
        With("""  "labels": { "web/*": ["untrustedSource"] }"""),
        With("""  "labels": { "web/*": [] }"""),
        With("""  "chains": [ { "id": "c", "sequence": ["web/a", "web/b"], "risk": "High" } ]"""),
        With("""  "flows": { "untrustedThenPrivateThenSink": "Block" }"""),
        With("""  "flows": { "taint": { "minLength": 20 } }"""),
        With("""  "flows": { "taint": { "risk": "Medium" } }"""),
        With("""  "flows": { "taint": { "arguments": { "web/post": { "url": "High" } } } }"""),
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public void Labels_chains_and_flows_change_the_version(string json)
        => Assert.NotEqual(VersionOf(Base), VersionOf(json));

    [Fact]
    public void Every_detail_of_labels_chains_and_taint_counts()
    {
        var versions = new[]
        {
            With("""  "labels": { "web/*": ["untrustedSource"] }"""),
            With("""  "labels": { "web/*": ["privateData"] }"""),
            With("""  "labels": { "web/x": ["untrustedSource"] }"""),
            With("""  "chains": [ { "id": "c", "sequence": ["web/a", "web/b"], "risk": "High" } ]"""),
            With("""  "chains": [ { "id": "d", "sequence": ["web/a", "web/b"], "risk": "High" } ]"""),
            With("""  "chains": [ { "id": "c", "sequence": ["web/a", "web/c"], "risk": "High" } ]"""),
            With("""  "chains": [ { "id": "c", "sequence": ["web/a", "web/b"], "risk": "Block" } ]"""),
            With("""  "chains": [ { "id": "c", "sequence": ["web/a", "web/b"], "within": { "calls": 5 }, "risk": "High" } ]"""),
            With("""  "chains": [ { "id": "c", "sequence": ["web/a", "web/b"], "within": { "time": "00:01:00" }, "risk": "High" } ]"""),
            With("""  "chains": [ { "id": "c", "sequence": ["web/a", { "match": "web/b", "when": { "n": { "min": 1 } } }], "risk": "High" } ]"""),
            With("""  "flows": { "taint": { "arguments": { "web/post": { "url": "Block" } } } }"""),
            With("""  "flows": { "taint": { "arguments": { "web/post": { "body": "High" } } } }"""),
        }.Select(VersionOf).ToList();
        Assert.Equal(versions.Count, versions.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Defaults_written_out_keep_the_version_of_a_policy_without_them()
    {
        var explicitDefaults = With("""  "flows": { "untrustedThenPrivateThenSink": "High", "taint": { "minLength": 12, "risk": "Low" } }""");
        Assert.Equal(VersionOf(Base), VersionOf(explicitDefaults));
    }

    [Fact]
    public void Label_order_does_not_change_the_version()
        => Assert.Equal(
            VersionOf(With("""  "labels": { "a/*": ["privateData"], "b/*": ["externalSink"] }""")),
            VersionOf(With("""  "labels": { "b/*": ["externalSink"], "a/*": ["privateData"] }""")));

    [Theory]
    [InlineData("""  "chains": [ { "id": "c", "sequence": ["web/a", "web/b"], "risk": "High" } ]""", "$.chains")]
    [InlineData("""  "flows": { "taint": { "arguments": { "web/post": { "url": "High" } } } }""", "$.flows")]
    [InlineData("""  "labels": { "web/*": ["untrustedSource"] }""", "$.labels")]
    public void Flow_sections_without_AddFlowRules_fail_at_start(string section, string path)
    {
        var services = new ServiceCollection();
        services.AddMcpPolicy(o => PolicyLoader.ApplyJson(o, With(section)));
        using var provider = services.BuildServiceProvider();
        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<McpPolicyOptions>>().Value);
        var failure = Assert.Single(ex.Failures);
        Assert.StartsWith(path, failure, StringComparison.Ordinal);
        Assert.Contains("AddFlowRules()", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Labels_used_by_the_sink_byte_budget_need_no_flow_rules()
    {
        var services = new ServiceCollection();
        services.AddMcpPolicy(o => PolicyLoader.ApplyJson(o, With("""  "labels": { "web/*": ["externalSink"] }, "limits": { "perConversation": { "maxSinkBytes": 100 } }""")));
        using var provider = services.BuildServiceProvider();
        Assert.Single(provider.GetRequiredService<IOptions<McpPolicyOptions>>().Value.Labels);
    }

    [Fact]
    public void A_policy_without_flow_sections_needs_no_flow_rules()
    {
        var services = new ServiceCollection();
        services.AddMcpPolicy(o => PolicyLoader.ApplyJson(o, Base));
        using var provider = services.BuildServiceProvider();
        Assert.NotNull(provider.GetRequiredService<IPolicyEvaluator>());
    }

    [Fact]
    public void A_registered_FlowRulesRegistration_accepts_every_flow_section()
    {
        var services = new ServiceCollection();
        services.AddSingleton<FlowRulesRegistration>();
        services.AddMcpPolicy(o => PolicyLoader.ApplyJson(o, With("""  "labels": { "web/*": ["untrustedSource"] }, "chains": [ { "id": "c", "sequence": ["web/a", "web/b"], "risk": "High" } ], "flows": { "untrustedThenPrivateThenSink": "Block" }""")));
        using var provider = services.BuildServiceProvider();
        Assert.Single(provider.GetRequiredService<IOptions<McpPolicyOptions>>().Value.Chains);
    }
}
