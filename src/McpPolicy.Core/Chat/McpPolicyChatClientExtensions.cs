using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Client;

namespace McpPolicy;

/// <summary>Wires <see cref="McpPolicyChatClient"/> into a chat client pipeline.</summary>
public static class McpPolicyChatClientExtensions
{
    /// <summary>
    /// Wraps <paramref name="innerClient"/> (the model client, inside the function-invoking client) so HIGH calls to the given MCP tools
    /// surface as approval requests. Requires <c>AddMcpPolicy</c> in <paramref name="services"/>.
    /// </summary>
    /// <param name="innerClient">The model client.</param>
    /// <param name="services">The service provider McpPolicy is registered in.</param>
    /// <param name="resolve">Maps a function name to its MCP server and tool (see <see cref="CreateResolver"/>).</param>
    /// <returns>The wrapped client.</returns>
    public static IChatClient WithMcpPolicyApprovals(this IChatClient innerClient, IServiceProvider services, Func<string, McpPolicyToolBinding?> resolve)
    {
        ArgumentNullException.ThrowIfNull(innerClient);
        ArgumentNullException.ThrowIfNull(services);
        return new McpPolicyChatClient(
            innerClient,
            services.GetRequiredService<IPolicyEvaluator>(),
            services.GetRequiredService<McpPolicyChatApprovals>(),
            resolve,
            services.GetService<TimeProvider>());
    }

    /// <summary>Builds a function-name resolver from the tools each MCP server listed. A name offered by two servers is an error, since a call to it would be ambiguous.</summary>
    /// <param name="servers">Each server id with the tools its client listed.</param>
    /// <returns>The resolver.</returns>
    /// <exception cref="ArgumentException">Two servers offer a tool with the same name.</exception>
    public static Func<string, McpPolicyToolBinding?> CreateResolver(params (string ServerId, IEnumerable<McpClientTool> Tools)[] servers)
    {
        ArgumentNullException.ThrowIfNull(servers);
        var map = new Dictionary<string, McpPolicyToolBinding>(StringComparer.Ordinal);
        foreach (var (serverId, tools) in servers)
        {
            foreach (var tool in tools)
            {
                var binding = new McpPolicyToolBinding(serverId, ToolDescriptor.FromProtocol(tool.ProtocolTool));
                if (!map.TryAdd(tool.Name, binding))
                {
                    throw new ArgumentException($"The function name '{tool.Name}' is offered by both '{map[tool.Name].ServerId}' and '{serverId}'; give the tools distinct names before exposing both to a model.", nameof(servers));
                }
            }
        }

        return name => map.TryGetValue(name, out var b) ? b : null;
    }
}
