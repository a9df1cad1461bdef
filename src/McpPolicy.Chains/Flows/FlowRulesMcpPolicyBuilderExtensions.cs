using McpPolicy.Chains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace McpPolicy;

/// <summary>Adds conversation flow rules (labels, chains, the untrusted → private → sink rule, value-level taint) to McpPolicy.</summary>
public static class FlowRulesMcpPolicyBuilderExtensions
{
    /// <summary>
    /// Enforces the policy's <c>labels</c>, <c>chains</c> and <c>flows</c> with a <see cref="FlowRuleFilter"/> at
    /// <see cref="ToolInvocationFilterOrder.Flow"/>. Conversation state is kept by an <see cref="InMemoryConversationStore"/>
    /// (sized by <see cref="ConversationHistoryOptions"/>) unless another <see cref="IConversationStore"/> is registered.
    /// </summary>
    /// <param name="builder">The McpPolicy builder.</param>
    /// <param name="configure">Adds labels, chains and flow settings in C#; optional.</param>
    /// <returns>The builder.</returns>
    public static McpPolicyBuilder AddFlowRules(this McpPolicyBuilder builder, Action<FlowRulesBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        configure?.Invoke(new FlowRulesBuilder(builder));
        var services = builder.Services;
        services.AddOptions<ConversationHistoryOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ConversationHistoryOptions>, ConversationHistoryOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<McpPolicyOptions>, FlowPolicyValidator>());
        services.TryAddSingleton<FlowRulesRegistration>();
        services.TryAddSingleton<IConversationStore>(sp => new InMemoryConversationStore(
            sp.GetRequiredService<IOptions<ConversationHistoryOptions>>().Value,
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IToolInvocationFilter, FlowRuleFilter>(sp => new FlowRuleFilter(
            sp.GetRequiredService<IOptions<McpPolicyOptions>>().Value,
            sp.GetRequiredService<IConversationStore>(),
            sp.GetService<TimeProvider>(),
            sp.GetServices<IArgumentConstraintKind>(),
            sp.GetService<ILogger<FlowRuleFilter>>())));
        return builder;
    }
}
