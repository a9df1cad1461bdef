using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Client;

namespace McpPolicy;

/// <summary>Creates policy client transports from the services <c>AddMcpPolicy</c> registered.</summary>
public static class McpPolicyClientServiceProviderExtensions
{
    /// <summary>
    /// Wraps <paramref name="innerTransport"/> so every tool call to the server the host calls <paramref name="serverId"/> passes the
    /// policy gate. Pass the result to <c>McpClient.CreateAsync</c>.
    /// </summary>
    /// <param name="services">The services McpPolicy is registered in.</param>
    /// <param name="serverId">The host's id for the server (non-empty, without '/').</param>
    /// <param name="innerTransport">The transport that reaches the server.</param>
    /// <param name="options">Settings; null for the defaults.</param>
    /// <returns>The wrapping transport.</returns>
    /// <exception cref="InvalidOperationException">McpPolicy is not registered in <paramref name="services"/>.</exception>
    public static PolicyClientTransport CreatePolicyTransport(this IServiceProvider services, string serverId, IClientTransport innerTransport, PolicyClientTransportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var pipeline = services.GetService<ToolInvocationPipeline>()
            ?? throw new InvalidOperationException("McpPolicy is not registered: call services.AddMcpPolicy(...) first.");
        return new PolicyClientTransport(
            serverId,
            innerTransport,
            pipeline,
            services.GetRequiredService<IPolicyEvaluator>(),
            services.GetService<ToolCatalog>() ?? throw new InvalidOperationException("McpPolicy's tool catalog is not registered: call services.AddMcpPolicy(...) first."),
            options,
            services.GetService<ILoggerFactory>(),
            services,
            services.GetService<TimeProvider>());
    }
}
