using McpPolicy.Chains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace McpPolicy;

/// <summary>Adds per-conversation call history to McpPolicy.</summary>
public static class ConversationHistoryMcpPolicyBuilderExtensions
{
    /// <summary>
    /// Records every tool call in its conversation's history (see <see cref="ConversationHistoryFilter"/>), kept by an
    /// <see cref="InMemoryConversationStore"/> unless another <see cref="IConversationStore"/> is registered.
    /// </summary>
    /// <param name="builder">The McpPolicy builder.</param>
    /// <param name="configure">Sets how much history is kept and for how long; the defaults apply when null.</param>
    /// <returns>The builder.</returns>
    public static McpPolicyBuilder AddConversationHistory(this McpPolicyBuilder builder, Action<ConversationHistoryOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        builder.AddValidatedOptions<ConversationHistoryOptions, ConversationHistoryOptionsValidator>(configure);
        services.TryAddSingleton<IConversationStore>(sp => new InMemoryConversationStore(
            sp.GetRequiredService<IOptions<ConversationHistoryOptions>>().Value,
            sp.GetRequiredService<TimeProvider>()));
        builder.AddFilter<ConversationHistoryFilter>();
        return builder;
    }
}
