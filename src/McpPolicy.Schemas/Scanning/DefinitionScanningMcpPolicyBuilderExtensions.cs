using McpPolicy.Schemas;
using McpPolicy.Schemas.Scanning;

namespace McpPolicy;

/// <summary>Adds tool-definition scanning to McpPolicy.</summary>
public static class DefinitionScanningMcpPolicyBuilderExtensions
{
    /// <summary>
    /// Raises every call to a tool whose definition has findings (hidden Unicode, escapes, hidden markup, instructions to the model,
    /// secret references, encoded blobs, exfiltration-shaped parameters, invalid names) to the risk of the most severe one: Medium audits,
    /// High needs an approval, Critical blocks. See <see cref="DefinitionScanRule"/>.
    /// </summary>
    /// <param name="builder">The McpPolicy builder.</param>
    /// <param name="configure">Chooses the lowest severity that raises risk, limits and ignored findings; the defaults apply when null.</param>
    /// <returns>The builder.</returns>
    public static McpPolicyBuilder AddDefinitionScanning(this McpPolicyBuilder builder, Action<DefinitionScanOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddValidatedOptions<DefinitionScanOptions, DefinitionScanOptionsValidator>(configure);
        return builder.AddRule<DefinitionScanRule>();
    }
}
