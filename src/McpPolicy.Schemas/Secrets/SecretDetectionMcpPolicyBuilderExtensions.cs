using McpPolicy.Schemas;
using McpPolicy.Schemas.Secrets;

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
        builder.AddValidatedOptions<SecretDetectionOptions, SecretDetectionOptionsValidator>(configure);
        return builder.AddRule<SecretArgumentsRule>();
    }
}
