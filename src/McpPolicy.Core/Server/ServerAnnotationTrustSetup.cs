using Microsoft.Extensions.Options;

namespace McpPolicy.Server;

/// <summary>
/// Marks the server's own id as trusted in the policy (unless the policy has a <c>servers</c> entry for it), so the
/// annotation hints written beside the tool code are believed like its <see cref="ToolRiskAttribute"/>.
/// </summary>
internal sealed class ServerAnnotationTrustSetup : IPostConfigureOptions<McpPolicyOptions>
{
    private readonly IOptions<McpPolicyServerOptions> _serverOptions;

    public ServerAnnotationTrustSetup(IOptions<McpPolicyServerOptions> serverOptions)
    {
        _serverOptions = serverOptions;
    }

    public void PostConfigure(string? name, McpPolicyOptions options)
    {
        if (name != Options.DefaultName)
        {
            return;
        }

        var server = _serverOptions.Value;
        if (server.TrustToolAnnotations && !options.Servers.ContainsKey(server.ServerId))
        {
            options.Servers[server.ServerId] = new ServerPolicy { Trusted = true };
        }
    }
}
