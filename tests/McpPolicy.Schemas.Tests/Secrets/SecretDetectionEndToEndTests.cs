using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static McpPolicy.Schemas.Tests.Secrets.SecretSamples;

namespace McpPolicy.Schemas.Tests.Secrets;

public sealed class SecretDetectionEndToEndTests
{
    private static readonly IReadOnlyList<SecretSample> Samples = All(new Random(11));

    private static readonly ToolHints Quiet = new(ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false);

    private static ToolInvocationContext WriteFile(string content)
        => new("fs", "write_file", ToolArguments.FromJson(System.Text.Json.JsonSerializer.SerializeToElement(new { path = "notes.txt", content })), new ToolDescriptor("write_file") { Hints = Quiet });

    private static ServiceProvider Services(Action<SecretDetectionOptions>? configure = null)
        => new ServiceCollection()
            .AddMcpPolicy(o => o.Tools.Add(new ToolPolicy("fs/*", RiskLevel.Low)))
            .AddSecretDetection(configure)
            .Services
            .BuildServiceProvider();

    [Fact]
    public void Private_key_in_an_argument_needs_approval_by_default()
    {
        using var services = Services();
        var evaluator = services.GetRequiredService<IPolicyEvaluator>();

        var decision = evaluator.Evaluate(WriteFile(Samples.Single(s => s.Name == "pem-rsa").Text));

        Assert.Equal(RiskLevel.High, decision.Risk);
        Assert.Equal(PolicyOutcome.RequiresApproval, decision.Outcome);
        Assert.Equal("secrets", decision.DecisiveReason.Id);
        Assert.Equal("argument /content looks like a private key", decision.DecisiveReason.Message);
    }

    [Fact]
    public void Private_key_in_an_argument_is_denied_when_the_options_say_block()
    {
        using var services = Services(o => o.Risk = RiskLevel.Block);

        var decision = services.GetRequiredService<IPolicyEvaluator>().Evaluate(WriteFile(Samples.Single(s => s.Name == "openssh").Text));

        Assert.Equal(RiskLevel.Block, decision.Risk);
        Assert.Equal(PolicyOutcome.Deny, decision.Outcome);
    }

    [Fact]
    public void Call_without_secrets_keeps_its_policy_risk()
    {
        using var services = Services();

        var decision = services.GetRequiredService<IPolicyEvaluator>().Evaluate(WriteFile("Shopping list: eggs, milk, 2 loaves of bread."));

        Assert.Equal(RiskLevel.Low, decision.Risk);
        Assert.Equal(PolicyOutcome.Allow, decision.Outcome);
    }

    [Fact]
    public void Adding_secret_detection_twice_registers_one_rule()
    {
        var services = new ServiceCollection();
        services.AddMcpPolicy().AddSecretDetection().AddSecretDetection(o => o.Risk = RiskLevel.Block);
        using var provider = services.BuildServiceProvider();

        var rule = Assert.Single(provider.GetServices<IPolicyRule>());
        Assert.IsType<SecretArgumentsRule>(rule);
        Assert.Equal(RiskLevel.Block, rule.Evaluate(WriteFile(Samples.Single(s => s.Name == "npm").Text)).Risk);
    }

    [Fact]
    public void Invalid_options_fail_when_the_policy_is_built()
    {
        using var services = Services(o => o.EntropyThreshold = 9);

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IPolicyEvaluator>());
        Assert.Contains("EntropyThreshold", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Secret_detection_options_are_validated_when_read()
    {
        var services = new ServiceCollection();
        services.AddMcpPolicy().AddSecretDetection(o => o.MaxDepth = 0);
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<SecretDetectionOptions>>().Value);
        Assert.Contains("MaxDepth", error.Message, StringComparison.Ordinal);
    }
}
