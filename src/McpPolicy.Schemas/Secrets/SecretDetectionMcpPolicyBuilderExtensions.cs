using McpPolicy.Schemas;
using McpPolicy.Schemas.Secrets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace McpPolicy;

/// <summary>Adds detection of secrets in tool-call arguments to McpPolicy.</summary>
public static class SecretDetectionMcpPolicyBuilderExtensions
{
    /// <summary>
    /// Raises calls whose arguments look like they carry a secret (private keys, cloud and API tokens, JWTs, password assignments,
    /// random-looking strings) to <see cref="SecretDetectionOptions.Risk"/>, with a reason that names the detector and the argument
    /// but never the secret. See <see cref="SecretArgumentsRule"/>.
    /// </summary>
    /// <param name="builder">The McpPolicy builder.</param>
    /// <param name="configure">Chooses the risk, the detectors and the allowed arguments; the defaults apply when null.</param>
    /// <returns>The builder.</returns>
    public static McpPolicyBuilder AddSecretDetection(this McpPolicyBuilder builder, Action<SecretDetectionOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptions<SecretDetectionOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SecretDetectionOptions>, SecretDetectionOptionsValidator>());
        return builder.AddRule<SecretArgumentsRule>();
    }
}
