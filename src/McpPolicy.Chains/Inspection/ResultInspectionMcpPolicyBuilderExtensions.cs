using McpPolicy.Chains.Inspection;

namespace McpPolicy;

/// <summary>Adds inspection of tool results to McpPolicy.</summary>
public static class ResultInspectionMcpPolicyBuilderExtensions
{
    /// <summary>
    /// Sanitizes every tool result before anyone reads it: escape sequences and invisible or control characters are made
    /// visible (or removed), secret-looking values are redacted by every registered <see cref="IResultRedactor"/> (McpPolicy.Schemas'
    /// <c>AddSecretRedaction()</c> adds one), and text is marked as untrusted where configured. Safe to call more than once: the
    /// filter is added once and every <paramref name="configure"/> applies.
    /// </summary>
    /// <param name="builder">The McpPolicy builder.</param>
    /// <param name="configure">Chooses handling, marking and redaction, globally and per tool; the defaults apply when null.</param>
    /// <returns>The builder.</returns>
    public static McpPolicyBuilder AddResultInspection(this McpPolicyBuilder builder, Action<ResultInspectionOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddValidatedOptions<ResultInspectionOptions, ResultInspectionOptionsValidator>(configure);
        return builder.AddFilter<ResultInspectionFilter>();
    }
}
