using McpPolicy.Core.Tests.TestSupport;

namespace McpPolicy.Core.Tests.Engine;

public sealed class ListingRiskTests
{
    private static readonly PolicyEvaluator Evaluator = Policies.FromJson("""
        {
          "servers": { "docs": { "trusted": true } },
          "tools": [
            { "match": "bank/send_money", "risk": "Low", "arguments": { "amount": { "max": 10 } } },
            { "match": "*/delete_*", "risk": "Block" }
          ],
          "rules": [ { "id": "always", "risk": "Block" } ]
        }
        """);

    [Fact]
    public void Listing_risk_is_the_base_risk_whatever_arguments_and_rules_would_say()
        => Assert.Equal(RiskLevel.Low, Evaluator.GetListingRisk("bank", new ToolDescriptor("send_money") { Hints = Calls.Quiet }));

    [Fact]
    public void Listing_risk_is_raised_by_untrusted_hints()
        => Assert.Equal(RiskLevel.High, Evaluator.GetListingRisk("bank", new ToolDescriptor("send_money")));

    [Fact]
    public void Listing_risk_follows_trusted_hints_when_no_entry_matches()
        => Assert.Equal(RiskLevel.Low, Evaluator.GetListingRisk("docs", new ToolDescriptor("search") { Hints = new ToolHints(true, null, null, true) }));

    [Fact]
    public void Blocked_tool_has_a_blocking_listing_risk()
        => Assert.Equal(RiskLevel.Block, Evaluator.GetListingRisk("fs", new ToolDescriptor("delete_all") { Hints = Calls.Quiet }));
}
