using McpPolicy.Schemas;
using McpPolicy.Schemas.Secrets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace McpPolicy;

/// <summary>Adds redaction of secrets in tool results to McpPolicy.</summary>
public static class SecretRedactionMcpPolicyBuilderExtensions
{
    /// <summary>
    /// Registers an <see cref="IResultRedactor"/> that replaces secret-looking values in tool results (private keys, cloud and API
    /// tokens, JWTs, password assignments, passwords in URLs) with <c>[redacted:kind]</c>, using the detectors of
    /// <see cref="SecretArgumentsRule"/>. It runs inside result inspection, so add that too (McpPolicy.Chains:
    /// <c>AddResultInspection()</c>); on its own it registers the redactor and nothing calls it.
    /// </summary>
    /// <param name="builder">The McpPolicy builder.</param>
    /// <param name="configure">Chooses the detectors; the defaults apply when null.</param>
    /// <returns>The builder.</returns>
    public static McpPolicyBuilder AddSecretRedaction(this McpPolicyBuilder builder, Action<SecretRedactionOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        builder.AddValidatedOptions<SecretRedactionOptions, SecretRedactionOptionsValidator>(configure);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IResultRedactor, SecretResultRedactor>());
        return builder;
    }
}
