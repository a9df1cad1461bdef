using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Client;

namespace McpPolicy;

/// <summary>Connects MCP clients whose tool calls pass the policy gate.</summary>
public static class McpPolicyClient
{
    /// <summary>
    /// Connects an <see cref="McpClient"/> to a server through a <see cref="PolicyClientTransport"/>: every tool call it makes, however
    /// it is made (<c>CallToolAsync</c>, an <c>McpClientTool</c> used as an AI function, a raw <c>SendRequestAsync</c>), is decided by the policy.
    /// </summary>
    /// <param name="services">The services McpPolicy is registered in.</param>
    /// <param name="serverId">The host's id for the server (non-empty, without '/').</param>
    /// <param name="innerTransport">The transport that reaches the server.</param>
    /// <param name="clientOptions">The MCP client's options; null for the SDK defaults.</param>
    /// <param name="policyOptions">The gate's settings; null for the defaults.</param>
    /// <param name="cancellationToken">Cancels connecting.</param>
    /// <returns>The connected client.</returns>
    public static Task<McpClient> CreateAsync(
        IServiceProvider services,
        string serverId,
        IClientTransport innerTransport,
        McpClientOptions? clientOptions = null,
        PolicyClientTransportOptions? policyOptions = null,
        CancellationToken cancellationToken = default)
    {
        var transport = services.CreatePolicyTransport(serverId, innerTransport, policyOptions);
        return McpClient.CreateAsync(transport, clientOptions, services.GetService<ILoggerFactory>(), cancellationToken);
    }
}
