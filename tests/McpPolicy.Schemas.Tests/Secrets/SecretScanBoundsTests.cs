using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using static McpPolicy.Schemas.Tests.Secrets.SecretSamples;

namespace McpPolicy.Schemas.Tests.Secrets;

/// <summary>The scan's budgets (fail closed beyond them), the allowlist and option validation.</summary>
public sealed class SecretScanBoundsTests
{
    private static readonly IReadOnlyList<SecretSample> Samples = All(new Random(7));

    private static readonly JsonSerializerOptions DeepJson = new() { MaxDepth = 256 };

    private static string Text(string name) => Samples.Single(s => s.Name == name).Text;

    [Fact]
    public void Text_beyond_the_budget_raises_to_the_configured_risk_with_a_reason()
    {
        var verdict = Rule().Evaluate(Call(new Dictionary<string, object?> { ["blob"] = new string('a', 1024 * 1024) }));

        Assert.True(verdict.HasOpinion);
        Assert.Equal(RiskLevel.High, verdict.Risk);
        Assert.Equal("the arguments hold more than 1048576 bytes of text, too much to scan for secrets", verdict.Reason);
    }

    [Fact]
    public void Budget_counts_names_and_values_and_is_inclusive()
    {
        var rule = Rule(o => o.MaxScannedBytes = 100);

        Assert.False(rule.Evaluate(Call(new Dictionary<string, object?> { ["t"] = new string('a', 99) })).HasOpinion);
        Assert.Equal(RiskLevel.High, rule.Evaluate(Call(new Dictionary<string, object?> { ["t"] = new string('a', 100) })).Risk);
    }

    [Fact]
    public void Many_small_strings_add_up_to_the_budget()
    {
        var rule = Rule(o => o.MaxScannedBytes = 1000);
        var items = new JsonArray();
        for (var i = 0; i < 300; i++)
        {
            items.Add("word");
        }

        var verdict = rule.Evaluate(Call(new JsonObject { ["items"] = items }));

        Assert.Equal("the arguments hold more than 1000 bytes of text, too much to scan for secrets", verdict.Reason);
    }

    [Fact]
    public void Secret_found_before_the_budget_runs_out_is_named()
    {
        var rule = Rule(o => o.MaxScannedBytes = 4096);

        var verdict = rule.Evaluate(Call(new JsonObject { ["first"] = Text("github-classic"), ["rest"] = new string('a', 10_000) }));

        Assert.Equal("argument /first looks like a GitHub token", verdict.Reason);
    }

    [Fact]
    public void Budget_uses_the_configured_risk()
    {
        var rule = Rule(o =>
        {
            o.MaxScannedBytes = 10;
            o.Risk = RiskLevel.Block;
        });

        Assert.Equal(RiskLevel.Block, rule.Evaluate(Call(new Dictionary<string, object?> { ["t"] = "more than ten bytes" })).Risk);
    }

    [Theory]
    [InlineData(4, false)]
    [InlineData(5, false)]
    [InlineData(3, true)]
    [InlineData(1, true)]
    public void Nesting_beyond_the_depth_limit_raises(int maxDepth, bool raises)
    {
        // "x" sits four levels down, at /a/0/0/0.
        var rule = Rule(o => o.MaxDepth = maxDepth);

        var verdict = rule.Evaluate(Parsed("""{"a": [[["x"]]]}"""));

        Assert.Equal(raises, verdict.HasOpinion);
        if (raises)
        {
            Assert.Equal($"the arguments are nested more than {maxDepth} levels deep, too deep to scan for secrets", verdict.Reason);
        }
    }

    [Fact]
    public void Default_depth_limit_is_64_levels()
    {
        JsonNode node = "leaf";
        for (var i = 0; i < 100; i++)
        {
            node = new JsonArray(node);
        }

        var element = JsonSerializer.SerializeToElement(new JsonObject { ["deep"] = node }, DeepJson);

        var verdict = Rule().Evaluate(new ToolInvocationContext("srv", "tool", ToolArguments.FromJson(element)));

        Assert.Equal("the arguments are nested more than 64 levels deep, too deep to scan for secrets", verdict.Reason);
    }

    [Fact]
    public void Allowed_argument_of_a_matching_tool_is_not_scanned()
    {
        var rule = Rule(o => o.AllowedArguments["vault/set_*"] = ["/value", "/meta/*/key"]);
        var key = Text("pem-rsa");

        Assert.False(rule.Evaluate(Call(new Dictionary<string, object?> { ["value"] = key }, "vault", "set_secret")).HasOpinion);
        Assert.False(rule.Evaluate(Call(new JsonObject { ["meta"] = new JsonArray(new JsonObject { ["key"] = key }) }, "vault", "set_secret")).HasOpinion);
        Assert.True(rule.Evaluate(Call(new Dictionary<string, object?> { ["value"] = key }, "vault", "get_secret")).HasOpinion);
        Assert.True(rule.Evaluate(Call(new Dictionary<string, object?> { ["value"] = key }, "other", "set_secret")).HasOpinion);
        Assert.Equal(
            "argument /note looks like a GitHub token",
            rule.Evaluate(Call(new JsonObject { ["value"] = key, ["note"] = Text("github-classic") }, "vault", "set_secret")).Reason);
    }

    [Fact]
    public void Allowed_argument_by_name_covers_its_whole_subtree_and_its_own_name()
    {
        var rule = Rule(o => o.AllowedArguments["login/*"] = ["password"]);

        Assert.False(rule.Evaluate(Call(new JsonObject { ["password"] = "hunter2hunter2" }, "login", "sign_in")).HasOpinion);
        Assert.False(rule.Evaluate(Call(new JsonObject { ["password"] = new JsonObject { ["v"] = Text("jwt") } }, "login", "sign_in")).HasOpinion);
        Assert.True(rule.Evaluate(Call(new JsonObject { ["user"] = new JsonObject { ["password"] = "hunter2hunter2" } }, "login", "sign_in")).HasOpinion);
    }

    [Fact]
    public void Allowed_array_items_match_by_index()
    {
        var rule = Rule(o => o.AllowedArguments["*/*"] = ["/keys/1"]);
        var key = Text("openssh");

        Assert.False(rule.Evaluate(Call(new JsonObject { ["keys"] = new JsonArray("a", key) })).HasOpinion);
        Assert.True(rule.Evaluate(Call(new JsonObject { ["keys"] = new JsonArray(key, "a") })).HasOpinion);
    }

    [Fact]
    public void Allowed_subtrees_do_not_count_against_the_budget()
    {
        var rule = Rule(o =>
        {
            o.MaxScannedBytes = 100;
            o.AllowedArguments["files/upload"] = ["content"];
        });

        Assert.False(rule.Evaluate(Call(new Dictionary<string, object?> { ["content"] = new string('z', 10_000) }, "files", "upload")).HasOpinion);
    }

    public static TheoryData<string> InvalidOptions => new(
        "risk-low", "risk-undefined", "detectors-unknown", "entropy-nan", "entropy-low", "entropy-high", "depth-zero", "depth-huge",
        "budget-zero", "pattern-no-slash", "pattern-double-star", "pointer-bad-tilde", "pointer-root", "pointer-empty", "pointers-null");

    private static void Break(SecretDetectionOptions o, string what)
    {
        switch (what)
        {
            case "risk-low": o.Risk = RiskLevel.Low; break;
            case "risk-undefined": o.Risk = (RiskLevel)42; break;
            case "detectors-unknown": o.Detectors = (SecretDetectors)(1 << 30); break;
            case "entropy-nan": o.EntropyThreshold = double.NaN; break;
            case "entropy-low": o.EntropyThreshold = 2.0; break;
            case "entropy-high": o.EntropyThreshold = 5.5; break;
            case "depth-zero": o.MaxDepth = 0; break;
            case "depth-huge": o.MaxDepth = 10_000; break;
            case "budget-zero": o.MaxScannedBytes = 0; break;
            case "pattern-no-slash": o.AllowedArguments["vault"] = ["/value"]; break;
            case "pattern-double-star": o.AllowedArguments["**/x"] = ["/value"]; break;
            case "pointer-bad-tilde": o.AllowedArguments["a/b"] = ["/a~2b"]; break;
            case "pointer-root": o.AllowedArguments["a/b"] = ["/"]; break;
            case "pointer-empty": o.AllowedArguments["a/b"] = [""]; break;
            case "pointers-null": o.AllowedArguments["a/b"] = null!; break;
        }
    }

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Invalid_options_are_rejected_with_a_message(string what)
    {
        var options = new SecretDetectionOptions();
        Break(options, what);

        var error = Assert.Throws<ArgumentException>(() => new SecretArgumentsRule(Options.Create(options)));
        Assert.Contains("Invalid secret detection options", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Default_options_are_valid()
    {
        Assert.Empty(new SecretDetectionOptions().Validate());
    }
}
