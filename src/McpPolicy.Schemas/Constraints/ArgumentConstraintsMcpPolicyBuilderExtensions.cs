using McpPolicy.Schemas.Constraints;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;

namespace McpPolicy;

/// <summary>Adds the typed argument constraints of McpPolicy.Schemas to McpPolicy.</summary>
public static class ArgumentConstraintsMcpPolicyBuilderExtensions
{
    /// <summary>
    /// Lets the policy use the typed constraints <c>path</c>, <c>url</c> and <c>commandLine</c> in argument conditions, and
    /// enforces the constraint attributes of server tools (<see cref="AllowedPathsAttribute"/>, <see cref="AllowedHostsAttribute"/>,
    /// <see cref="AllowedCommandsAttribute"/>) at pipeline step <see cref="ToolInvocationFilterOrder.Validate"/>.
    /// </summary>
    /// <param name="builder">The McpPolicy builder.</param>
    /// <returns>The builder.</returns>
    /// <remarks>
    /// Safe to call more than once. On an MCP server (<c>WithPolicy</c>), tool attributes are also compiled when the server
    /// starts, so an invalid attribute fails start-up, and URL arguments get <c>"format": "uri"</c> in their input schema.
    /// </remarks>
    public static McpPolicyBuilder AddArgumentConstraints(this McpPolicyBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IArgumentConstraintKind, PathConstraintKind>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IArgumentConstraintKind, UrlConstraintKind>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IArgumentConstraintKind, CommandLineConstraintKind>());
        services.TryAddEnumerable(ServiceDescriptor.Transient<IPostConfigureOptions<McpServerOptions>, InputSchemaAnnotator>());
        builder.AddFilter<ArgumentConstraintFilter>();
        return builder;
    }
}
