using McpPolicy.Core.Tests.TestSupport;

namespace McpPolicy.Core.Tests.Engine;

public sealed class AnnotationHintTests
{
    private static readonly PolicyEvaluator LowBase = Policies.Evaluator(o => o.Tools.Add(new ToolPolicy("*/*", RiskLevel.Low)));

    [Theory]
    [InlineData(false, true, null, RiskLevel.High, "annotation:destructive")]
    [InlineData(false, null, false, RiskLevel.High, "annotation:destructive")]
    [InlineData(null, null, null, RiskLevel.High, "annotation:destructive")]
    [InlineData(false, false, false, RiskLevel.Medium, "annotation:write")]
    [InlineData(null, false, null, RiskLevel.Medium, "annotation:write")]
    [InlineData(true, null, true, RiskLevel.Medium, "annotation:openWorld")]
    [InlineData(true, true, null, RiskLevel.Medium, "annotation:openWorld")]
    public void Untrusted_server_hints_raise_the_risk(bool? readOnly, bool? destructive, bool? openWorld, RiskLevel expected, string id)
    {
        var decision = LowBase.Evaluate(Calls.With("fs/tool", new ToolHints(readOnly, destructive, null, openWorld)));

        Assert.Equal(expected, decision.Risk);
        Assert.Equal(["tools[0]", id], decision.Ids());
    }

    [Fact]
    public void Missing_annotations_are_treated_as_destructive()
    {
        var decision = LowBase.Evaluate(Calls.With("fs/tool", default));

        Assert.Equal(RiskLevel.High, decision.Risk);
        Assert.Equal("annotation:destructive", decision.DecisiveReason.Id);
    }

    [Fact]
    public void Read_only_closed_world_tool_of_an_untrusted_server_raises_nothing()
    {
        var decision = LowBase.Evaluate(Calls.With("fs/tool", new ToolHints(true, true, null, false)));

        Assert.Equal(RiskLevel.Low, decision.Risk);
        Assert.Equal(["tools[0]"], decision.Ids());
    }

    [Theory]
    [InlineData(RiskLevel.High)]
    [InlineData(RiskLevel.Block)]
    public void Hints_never_lower_the_base_risk(RiskLevel baseRisk)
    {
        var evaluator = Policies.Evaluator(o => o.Tools.Add(new ToolPolicy("fs/*", baseRisk)));

        Assert.Equal(baseRisk, evaluator.Evaluate(Calls.With("fs/tool", new ToolHints(true, false, true, false))).Risk);
        Assert.Equal(baseRisk, evaluator.Evaluate(Calls.With("fs/tool", new ToolHints(false, false, true, true))).Risk);
    }

    [Fact]
    public void Hints_of_a_trusted_server_do_not_raise()
    {
        var evaluator = Policies.Evaluator(o =>
        {
            o.Servers["fs"] = new ServerPolicy { Trusted = true };
            o.Tools.Add(new ToolPolicy("*/*", RiskLevel.Low));
        });

        var decision = evaluator.Evaluate(Calls.With("fs/tool", new ToolHints(false, true, false, true)));

        Assert.Equal(RiskLevel.Low, decision.Risk);
    }

    [Fact]
    public void Server_listed_as_untrusted_is_treated_like_an_unlisted_one()
    {
        var evaluator = Policies.Evaluator(o =>
        {
            o.Servers["fs"] = new ServerPolicy { Trusted = false };
            o.Tools.Add(new ToolPolicy("*/*", RiskLevel.Low));
        });

        Assert.Equal(RiskLevel.High, evaluator.Evaluate(Calls.With("fs/tool", default)).Risk);
        Assert.Equal(RiskLevel.High, evaluator.Evaluate(Calls.With("other/tool", default)).Risk);
    }
}
