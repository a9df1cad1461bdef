using System.Diagnostics.Metrics;
using McpPolicy;
using McpPolicy.Control;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers McpPolicy in a service collection.</summary>
public static class McpPolicyServiceCollectionExtensions
{
    /// <summary>Adds McpPolicy with a policy built in code.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Fills the policy; may be null when another source provides it.</param>
    /// <returns>A builder for rules, filters and more sources.</returns>
    public static McpPolicyBuilder AddMcpPolicy(this IServiceCollection services, Action<McpPolicyOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        AddCore(services);
        var builder = new McpPolicyBuilder(services);
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        return builder;
    }

    /// <summary>Adds McpPolicy with the policy in a configuration section (for example <c>builder.Configuration.GetSection("McpPolicy")</c>).</summary>
    /// <param name="services">The services.</param>
    /// <param name="section">The section.</param>
    /// <returns>A builder for rules, filters and more sources.</returns>
    public static McpPolicyBuilder AddMcpPolicy(this IServiceCollection services, IConfiguration section)
        => services.AddMcpPolicy().AddConfiguration(section);

    /// <summary>Adds McpPolicy with the policy in a JSON policy file.</summary>
    /// <param name="services">The services.</param>
    /// <param name="policyFilePath">The file path.</param>
    /// <returns>A builder for rules, filters and more sources.</returns>
    public static McpPolicyBuilder AddMcpPolicy(this IServiceCollection services, string policyFilePath)
        => services.AddMcpPolicy().AddPolicyFile(policyFilePath);

    private static void AddCore(IServiceCollection services)
    {
        services.AddOptions<McpPolicyOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<McpPolicyOptions>, McpPolicyOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new PolicyEvaluator(
            sp.GetRequiredService<IOptions<McpPolicyOptions>>().Value,
            sp.GetServices<IPolicyRule>(),
            sp.GetService<ILogger<PolicyEvaluator>>(),
            sp.GetServices<IArgumentConstraintKind>(),
            sp.GetService<ISchemaOverlayCompiler>()));
        services.TryAddSingleton<IPolicyEvaluator>(sp =>
        {
            // Hot reload starts with the evaluator it feeds.
            sp.GetRequiredService<PolicyReloader>();
            return sp.GetRequiredService<PolicyEvaluator>();
        });
        AddControl(services);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IToolInvocationFilter, PolicyAssessmentFilter>());
        services.TryAddSingleton<IApprovalStore>(sp => new InMemoryApprovalStore(sp.GetService<TimeProvider>()));
        services.TryAddSingleton(sp => new McpPolicyChatApprovals(sp.GetRequiredService<IApprovalStore>(), sp.GetService<TimeProvider>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IToolInvocationFilter, PolicyDecisionFilter>(sp => new PolicyDecisionFilter(
            sp.GetRequiredService<IPolicyEvaluator>(),
            sp.GetRequiredService<IApprovalStore>(),
            sp.GetService<IApprovalHandler>(),
            sp.GetService<TimeProvider>(),
            sp.GetService<ILogger<PolicyDecisionFilter>>())));
        services.TryAddSingleton(sp => new ToolInvocationPipeline(sp.GetServices<IToolInvocationFilter>()));
        services.TryAddSingleton<ToolCatalog>();
    }

    private static void AddControl(IServiceCollection services)
    {
        services.TryAddSingleton<IKillSwitchStore, InMemoryKillSwitchStore>();
        services.TryAddSingleton(sp =>
        {
            var killSwitch = new KillSwitch(sp.GetRequiredService<IKillSwitchStore>(), sp.GetService<TimeProvider>());
            killSwitch.SetConfigured(sp.GetRequiredService<IOptions<McpPolicyOptions>>().Value.KillSwitch);
            return killSwitch;
        });
        services.TryAddSingleton<IKillSwitch>(sp => sp.GetRequiredService<KillSwitch>());
        services.TryAddSingleton(sp => new LimitFilter(
            sp.GetRequiredService<IOptions<McpPolicyOptions>>().Value,
            sp.GetRequiredService<IKillSwitch>(),
            sp.GetService<TimeProvider>(),
            sp.GetService<ILogger<LimitFilter>>()));
        services.TryAddSingleton(sp => new PolicyReloader(
            sp.GetRequiredService<IOptionsFactory<McpPolicyOptions>>(),
            sp.GetServices<IOptionsChangeTokenSource<McpPolicyOptions>>(),
            sp.GetRequiredService<PolicyEvaluator>(),
            sp.GetRequiredService<LimitFilter>(),
            sp.GetService<IKillSwitch>() as KillSwitch,
            sp.GetService<IMeterFactory>(),
            sp.GetService<ILogger<PolicyReloader>>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IToolInvocationFilter, KillSwitchFilter>(sp =>
        {
            var killSwitch = sp.GetRequiredService<IKillSwitch>();
            if (killSwitch is not KillSwitch && sp.GetRequiredService<IOptions<McpPolicyOptions>>().Value.KillSwitch.Count > 0)
            {
                // Fail closed: the configured entries would not be applied.
                throw new InvalidOperationException(PolicyReloader.ForeignKillSwitch);
            }

            return new KillSwitchFilter(killSwitch, sp.GetService<ILogger<KillSwitchFilter>>());
        }));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IToolInvocationFilter, LimitFilter>(sp =>
        {
            sp.GetRequiredService<PolicyReloader>();
            return sp.GetRequiredService<LimitFilter>();
        }));
    }
}
