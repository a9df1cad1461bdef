using System.Text;
using McpPolicy.Core.Tests.Configuration;
using McpPolicy.Core.Tests.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Core.Tests.DependencyInjection;

public sealed class McpPolicyServiceCollectionExtensionsTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("mcppolicy-di-tests-");

    public void Dispose() => _directory.Delete(recursive: true);

    private string WritePolicy(string json)
    {
        var path = Path.Combine(_directory.FullName, "policy.json");
        File.WriteAllText(path, json);
        return path;
    }

    private static IConfigurationSection Section(string json)
        => new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build().GetSection("McpPolicy");

    private static void AssertFormatExampleIsInForce(IServiceProvider services)
    {
        var evaluator = services.GetRequiredService<IPolicyEvaluator>();
        Assert.Equal(RiskLevel.Low, evaluator.Evaluate(Calls.Known("fs/read_text_file")).Risk);
        Assert.Equal(RiskLevel.Block, evaluator.Evaluate(Calls.Known("mail/delete_all")).Risk);
        Assert.Equal("large-transfer", evaluator.Evaluate(Calls.Known("bank/send_money", """{ "amount": 1000 }""")).DecisiveReason.Id);
    }

    private static IHost BuildHost(Action<IServiceCollection> configure)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        configure(builder.Services);
        return builder.Build();
    }

    [Fact]
    public void Policy_built_in_code_is_in_force()
    {
        using var services = new ServiceCollection()
            .AddMcpPolicy(o => PolicyLoader.ApplyJson(o, PolicyLoaderJsonTests.FormatExample)).Services
            .BuildServiceProvider();

        AssertFormatExampleIsInForce(services);
    }

    [Fact]
    public void Policy_in_a_configuration_section_is_in_force()
    {
        using var services = new ServiceCollection()
            .AddMcpPolicy(Section("{ \"McpPolicy\": " + PolicyLoaderJsonTests.FormatExample + " }")).Services
            .BuildServiceProvider();

        AssertFormatExampleIsInForce(services);
    }

    [Fact]
    public void Policy_file_is_in_force()
    {
        using var services = new ServiceCollection()
            .AddMcpPolicy(WritePolicy(PolicyLoaderJsonTests.FormatExample)).Services
            .BuildServiceProvider();

        AssertFormatExampleIsInForce(services);
    }

    [Fact]
    public void Sources_combine_in_registration_order()
    {
        using var services = new ServiceCollection()
            .AddMcpPolicy(WritePolicy(PolicyLoaderJsonTests.FormatExample))
            .Configure(o => o.Defaults.Risk = RiskLevel.Low)
            .Services
            .BuildServiceProvider();

        var evaluator = services.GetRequiredService<IPolicyEvaluator>();
        Assert.Equal(RiskLevel.Low, evaluator.Evaluate(Calls.Known("other/tool")).Risk);
        Assert.Equal(RiskLevel.Block, evaluator.Evaluate(Calls.Known("mail/delete_all")).Risk);
    }

    [Fact]
    public void Evaluator_is_one_singleton_behind_both_service_types()
    {
        using var services = new ServiceCollection().AddMcpPolicy().Services.BuildServiceProvider();

        Assert.Same(services.GetRequiredService<PolicyEvaluator>(), services.GetRequiredService<IPolicyEvaluator>());
        Assert.Same(services.GetRequiredService<IPolicyEvaluator>(), services.GetRequiredService<IPolicyEvaluator>());
    }

    [Fact]
    public void Rules_added_by_type_and_by_instance_are_applied()
    {
        var counting = new CountingRule("counting", RuleVerdict.Raise(RiskLevel.Medium, "counted"));
        using var services = new ServiceCollection()
            .AddMcpPolicy(o => o.Tools.Add(new ToolPolicy("*/*", RiskLevel.Low)))
            .AddRule<SecretArgumentRule>()
            .AddRule(counting)
            .Services
            .BuildServiceProvider();
        var evaluator = services.GetRequiredService<IPolicyEvaluator>();

        var decision = evaluator.Evaluate(Calls.Known("fs/write", """{ "secret": "x" }"""));

        Assert.Equal(["tools[0]", "counting", "secret-argument"], decision.Ids());
        Assert.Equal(1, counting.Calls);
    }

    [Fact]
    public void Rule_type_added_twice_is_registered_once()
    {
        using var services = new ServiceCollection()
            .AddMcpPolicy()
            .AddRule<SecretArgumentRule>()
            .AddRule<SecretArgumentRule>()
            .Services
            .BuildServiceProvider();

        Assert.Single(services.GetServices<IPolicyRule>());
        Assert.NotNull(services.GetRequiredService<IPolicyEvaluator>());
    }

    [Fact]
    public async Task Added_filter_runs_in_the_pipeline_at_its_order()
    {
        using var services = new ServiceCollection()
            .AddMcpPolicy(o => o.Tools.Add(new ToolPolicy("*/*", RiskLevel.Low)))
            .AddFilter<StampingFilter>()
            .Services
            .BuildServiceProvider();
        var pipeline = services.GetRequiredService<ToolInvocationPipeline>();
        var context = Calls.Known("fs/read");
        context.Invoker = (ctx, _) => ValueTask.FromResult(new CallToolResult { Content = [new TextContentBlock { Text = "stamp=" + ctx.Items["stamp"] }] });

        var result = await pipeline.InvokeAsync(context);

        Assert.Equal([typeof(KillSwitchFilter), typeof(PolicyAssessmentFilter), typeof(StampingFilter), typeof(LimitFilter), typeof(PolicyDecisionFilter)], pipeline.Filters.Select(f => f.GetType()));
        Assert.Equal("stamp=" + RiskLevel.Low, Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text);
    }

    [Fact]
    public async Task Pipeline_from_di_denies_blocked_calls()
    {
        using var services = new ServiceCollection()
            .AddMcpPolicy(WritePolicy(PolicyLoaderJsonTests.FormatExample)).Services
            .BuildServiceProvider();
        var context = Calls.Known("mail/delete_all");
        var invoked = false;
        context.Invoker = (_, _) =>
        {
            invoked = true;
            return ValueTask.FromResult(new CallToolResult());
        };

        var result = await services.GetRequiredService<ToolInvocationPipeline>().InvokeAsync(context);

        Assert.True(result.IsError);
        Assert.False(invoked);
    }

    [Fact]
    public async Task Valid_policy_starts_and_stops()
    {
        using var host = BuildHost(s => s.AddMcpPolicy(WritePolicy(PolicyLoaderJsonTests.FormatExample)).AddRule<SecretArgumentRule>());

        await host.StartAsync();
        await host.StopAsync();
    }

    [Fact]
    public async Task Invalid_policy_in_code_fails_at_start_up_naming_the_key()
    {
        using var host = BuildHost(s => s.AddMcpPolicy(o => o.Tools.Add(new ToolPolicy("fs", RiskLevel.Low))));

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("$.tools[0].match", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_policy_file_fails_at_start_up_naming_the_key_and_position()
    {
        var path = WritePolicy("{\n  \"tools\": [ { \"mtch\": \"fs/*\", \"risk\": \"Low\" } ]\n}");
        using var host = BuildHost(s => s.AddMcpPolicy(path));

        var ex = await Assert.ThrowsAsync<PolicyValidationException>(() => host.StartAsync());

        Assert.Contains("$.tools[0].mtch (policy.json line 2, column 24)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_configuration_section_fails_at_start_up_naming_the_key()
    {
        var section = Section("""{ "McpPolicy": { "rules": [ { "id": "r", "risk": "Severe" } ] } }""");
        using var host = BuildHost(s => s.AddMcpPolicy(section));

        var ex = await Assert.ThrowsAsync<PolicyValidationException>(() => host.StartAsync());

        Assert.Contains("$.rules[0].risk (configuration key 'McpPolicy:rules:0:risk')", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Custom_rule_id_clash_fails_at_start_up()
    {
        using var host = BuildHost(s => s
            .AddMcpPolicy(o => o.Rules.Add(new RulePolicy("secret-argument", "*/*", RiskLevel.High)))
            .AddRule<SecretArgumentRule>());

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("'secret-argument'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_policy_file_fails_at_start_up()
    {
        var missing = Path.Combine(_directory.FullName, "missing.json");
        using var host = BuildHost(s => s.AddMcpPolicy(missing));

        var ex = await Assert.ThrowsAsync<PolicyValidationException>(() => host.StartAsync());

        Assert.Contains("cannot be read", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validated_options_apply_every_change_register_their_validator_once_and_fail_the_start_when_invalid()
    {
        var builder = Host.CreateApplicationBuilder();
        var policy = builder.Services.AddMcpPolicy();
        policy.AddValidatedOptions<ExtensionOptions, ExtensionOptionsValidator>(o => o.Limit = 5);
        policy.AddValidatedOptions<ExtensionOptions, ExtensionOptionsValidator>(o => o.Limit *= 2);
        policy.AddValidatedOptions<ExtensionOptions, ExtensionOptionsValidator>();
        using (var host = builder.Build())
        {
            await host.StartAsync();
            Assert.Equal(10, host.Services.GetRequiredService<IOptions<ExtensionOptions>>().Value.Limit);
            Assert.Single(host.Services.GetServices<IValidateOptions<ExtensionOptions>>());
            await host.StopAsync();
        }

        var bad = Host.CreateApplicationBuilder();
        bad.Services.AddMcpPolicy().AddValidatedOptions<ExtensionOptions, ExtensionOptionsValidator>(o => o.Limit = -1);
        using var badHost = bad.Build();
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => badHost.StartAsync());
        Assert.Contains("Limit must be positive", ex.Message, StringComparison.Ordinal);
    }

    private sealed class ExtensionOptions
    {
        public int Limit { get; set; } = 1;
    }

    private sealed class ExtensionOptionsValidator : IValidateOptions<ExtensionOptions>
    {
        public ValidateOptionsResult Validate(string? name, ExtensionOptions options) =>
            options.Limit > 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail("Limit must be positive.");
    }
}
