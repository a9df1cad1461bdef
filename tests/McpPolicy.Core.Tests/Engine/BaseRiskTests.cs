using McpPolicy.Core.Tests.TestSupport;

namespace McpPolicy.Core.Tests.Engine;

public sealed class BaseRiskTests
{
    [Fact]
    public void Exact_name_beats_a_pattern_of_equal_literal_length_and_higher_risk()
    {
        var evaluator = Policies.Evaluator(o =>
        {
            o.Tools.Add(new ToolPolicy("fs/read*", RiskLevel.Block));
            o.Tools.Add(new ToolPolicy("fs/read", RiskLevel.Low));
        });

        var decision = evaluator.Evaluate(Calls.Known("fs/read"));

        Assert.Equal(RiskLevel.Low, decision.Risk);
        Assert.Equal(["tools[1]"], decision.Ids());
    }

    [Fact]
    public void Longest_literal_text_wins_among_patterns()
    {
        var evaluator = Policies.Evaluator(o =>
        {
            o.Tools.Add(new ToolPolicy("*/*", RiskLevel.Block));
            o.Tools.Add(new ToolPolicy("fs/*", RiskLevel.High));
            o.Tools.Add(new ToolPolicy("*/read_file", RiskLevel.Low));
            o.Tools.Add(new ToolPolicy("fs/read_*", RiskLevel.Medium));
        });

        Assert.Equal(["tools[2]"], evaluator.Evaluate(Calls.Known("fs/read_file")).Ids());
        Assert.Equal(["tools[3]"], evaluator.Evaluate(Calls.Known("fs/read_dir")).Ids());
        Assert.Equal(["tools[1]"], evaluator.Evaluate(Calls.Known("fs/write")).Ids());
        Assert.Equal(["tools[0]"], evaluator.Evaluate(Calls.Known("web/fetch")).Ids());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Tie_in_literal_length_resolves_to_the_higher_risk_in_either_order(bool highFirst)
    {
        var low = new ToolPolicy("fs/*_file", RiskLevel.Low);
        var high = new ToolPolicy("fs/read_*", RiskLevel.High);
        var evaluator = Policies.Evaluator(o =>
        {
            o.Tools.Add(highFirst ? high : low);
            o.Tools.Add(highFirst ? low : high);
        });

        var decision = evaluator.Evaluate(Calls.Known("fs/read_file"));

        Assert.Equal(RiskLevel.High, decision.Risk);
        Assert.Equal([highFirst ? "tools[0]" : "tools[1]"], decision.Ids());
    }

    [Fact]
    public void Full_tie_resolves_to_the_earlier_entry()
    {
        var evaluator = Policies.Evaluator(o =>
        {
            o.Tools.Add(new ToolPolicy("fs/*_file", RiskLevel.Medium) { Reason = "first" });
            o.Tools.Add(new ToolPolicy("fs/read_*", RiskLevel.Medium) { Reason = "second" });
        });

        Assert.Equal("first", evaluator.Evaluate(Calls.Known("fs/read_file")).DecisiveReason.Message);
    }

    [Theory]
    [InlineData(RiskLevel.Low)]
    [InlineData(RiskLevel.High)]
    public void Known_tool_no_entry_matches_gets_the_default_risk(RiskLevel risk)
    {
        var evaluator = Policies.Evaluator(o =>
        {
            o.Defaults.Risk = risk;
            o.Tools.Add(new ToolPolicy("fs/read_*", RiskLevel.Block));
        });

        var decision = evaluator.Evaluate(Calls.Known("fs/write_file"));

        Assert.Equal(risk, decision.Risk);
        Assert.Equal(["defaults.risk"], decision.Ids());
    }

    [Theory]
    [InlineData(RiskLevel.Low, RiskLevel.High, new[] { "defaults.unknownTool", "tools[0]" })]
    [InlineData(RiskLevel.Medium, RiskLevel.High, new[] { "defaults.unknownTool", "tools[0]" })]
    [InlineData(RiskLevel.Block, RiskLevel.Block, new[] { "defaults.unknownTool" })]
    public void Unknown_tool_takes_the_unknown_tool_risk_and_a_higher_entry_still_raises_it(RiskLevel unknownTool, RiskLevel expected, string[] ids)
    {
        var evaluator = Policies.Evaluator(o =>
        {
            o.Defaults.UnknownTool = unknownTool;
            o.Tools.Add(new ToolPolicy("fs/read_file", RiskLevel.High));
        });

        var decision = evaluator.Evaluate(Calls.Unknown("fs/read_file"));

        Assert.Equal(expected, decision.Risk);
        Assert.Equal(ids, decision.Ids());
    }

    [Fact]
    public void Unknown_tool_is_not_lowered_by_a_low_entry()
    {
        var evaluator = Policies.Evaluator(o =>
        {
            o.Defaults.UnknownTool = RiskLevel.Medium;
            o.Tools.Add(new ToolPolicy("fs/*", RiskLevel.Low));
        });

        var decision = evaluator.Evaluate(Calls.Unknown("fs/read_file"));

        Assert.Equal(RiskLevel.Medium, decision.Risk);
        Assert.Equal(["defaults.unknownTool"], decision.Ids());
    }

    [Fact]
    public void Unknown_tool_matching_a_block_pattern_is_blocked_even_when_unknown_tools_are_allowed()
    {
        var evaluator = Policies.Evaluator(o =>
        {
            o.Defaults.UnknownTool = RiskLevel.Low;
            o.Tools.Add(new ToolPolicy("*/delete_*", RiskLevel.Block));
        });

        Assert.Equal(RiskLevel.Block, evaluator.Evaluate(Calls.Unknown("fs/delete_all")).Risk);
    }

    [Fact]
    public void Unknown_tool_is_blocked_by_default()
    {
        var decision = Policies.Evaluator(_ => { }).Evaluate(Calls.Unknown("fs/anything"));

        Assert.Equal(PolicyOutcome.Deny, decision.Outcome);
    }

    [Theory]
    [InlineData("*/delete_*", "mail/delete_all", true)]
    [InlineData("*/delete_*", "mail/undelete_x", false)]
    [InlineData("fs/read_*", "fs/read_", true)]
    [InlineData("fs/read_*", "fsx/read_file", false)]
    [InlineData("f*s/x", "fs/x", true)]
    [InlineData("f*s/x", "fxxs/x", true)]
    [InlineData("f*s/x", "f/x", false)]
    [InlineData("a*a/x", "a/x", false)]
    [InlineData("*/*_*_*", "s/a__b", true)]
    [InlineData("*/*_*_*", "s/a_b", false)]
    [InlineData("*/*e*e*", "s/tree", true)]
    [InlineData("*/*e*e*", "s/ten", false)]
    [InlineData("FS/read", "fs/read", false)]
    public void Glob_matches_within_segments_case_sensitively(string match, string call, bool matches)
    {
        var evaluator = Policies.Evaluator(o => o.Tools.Add(new ToolPolicy(match, RiskLevel.High)));

        Assert.Equal(matches ? RiskLevel.High : RiskLevel.Medium, evaluator.Evaluate(Calls.Known(call)).Risk);
    }

    [Fact]
    public void Declared_risk_sets_the_base_when_no_entry_matches()
    {
        var evaluator = Policies.Evaluator(o => o.Tools.Add(new ToolPolicy("fs/other", RiskLevel.Block)));

        var decision = evaluator.Evaluate(Calls.With("fs/read", Calls.Quiet, declaredRisk: RiskLevel.Low));

        Assert.Equal(RiskLevel.Low, decision.Risk);
        Assert.Equal(["attribute:ToolRisk"], decision.Ids());
    }

    [Fact]
    public void Matching_entry_beats_the_declared_risk()
    {
        var evaluator = Policies.Evaluator(o => o.Tools.Add(new ToolPolicy("fs/*", RiskLevel.Medium)));

        var decision = evaluator.Evaluate(Calls.With("fs/read", Calls.Quiet, declaredRisk: RiskLevel.Low));

        Assert.Equal(["tools[0]"], decision.Ids());
    }

    [Fact]
    public void Declared_risk_does_not_rescue_an_unknown_tool()
    {
        var evaluator = Policies.Evaluator(o => o.Defaults.UnknownTool = RiskLevel.High);

        Assert.Equal(RiskLevel.High, evaluator.Evaluate(Calls.Unknown("fs/read")).Risk);
    }

    [Fact]
    public void Trusted_server_read_only_hint_sets_a_low_base_when_no_entry_matches()
    {
        var evaluator = Policies.Evaluator(o => o.Servers["docs"] = new ServerPolicy { Trusted = true });

        var decision = evaluator.Evaluate(Calls.With("docs/search", new ToolHints(ReadOnly: true, null, null, OpenWorld: true)));

        Assert.Equal(RiskLevel.Low, decision.Risk);
        Assert.Equal(["annotation:readOnly"], decision.Ids());
    }

    [Fact]
    public void Trusted_server_destructive_hint_sets_a_high_base_when_no_entry_matches()
    {
        var evaluator = Policies.Evaluator(o => o.Servers["docs"] = new ServerPolicy { Trusted = true });

        var decision = evaluator.Evaluate(Calls.With("docs/drop", new ToolHints(null, Destructive: true, null, null)));

        Assert.Equal(RiskLevel.High, decision.Risk);
        Assert.Equal(["annotation:destructive"], decision.Ids());
    }

    [Fact]
    public void Trusted_server_without_hints_gets_the_default_risk()
    {
        var evaluator = Policies.Evaluator(o =>
        {
            o.Defaults.Risk = RiskLevel.Low;
            o.Servers["docs"] = new ServerPolicy { Trusted = true };
        });

        var decision = evaluator.Evaluate(Calls.With("docs/drop", default));

        Assert.Equal(RiskLevel.Low, decision.Risk);
        Assert.Equal(["defaults.risk"], decision.Ids());
    }

    [Fact]
    public void Trusted_server_hints_do_not_override_a_matching_entry()
    {
        var evaluator = Policies.Evaluator(o =>
        {
            o.Servers["docs"] = new ServerPolicy { Trusted = true };
            o.Tools.Add(new ToolPolicy("docs/*", RiskLevel.Medium));
        });

        Assert.Equal(["tools[0]"], evaluator.Evaluate(Calls.With("docs/search", new ToolHints(true, false, true, false))).Ids());
        Assert.Equal(["tools[0]"], evaluator.Evaluate(Calls.With("docs/drop", new ToolHints(false, true, false, true))).Ids());
    }

    [Fact]
    public void Untrusted_read_only_hint_does_not_lower_the_default()
    {
        var evaluator = Policies.Evaluator(o => o.Servers["fs"] = new ServerPolicy { Trusted = false });

        var decision = evaluator.Evaluate(Calls.Known("fs/read"));

        Assert.Equal(RiskLevel.Medium, decision.Risk);
        Assert.Equal(["defaults.risk"], decision.Ids());
    }
}
