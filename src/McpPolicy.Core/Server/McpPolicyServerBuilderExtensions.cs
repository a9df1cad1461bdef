using McpPolicy;
using McpPolicy.Server;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Puts the McpPolicy gate in front of an MCP server's tools.</summary>
public static class McpPolicyServerBuilderExtensions
{
    /// <summary>
    /// Enforces the McpPolicy policy on this server: every <c>tools/call</c> runs through the policy pipeline (BLOCK and
    /// unapproved HIGH calls are refused with an error result naming the rule), tools whose listing risk is BLOCK are hidden
    /// from <c>tools/list</c> and refused on call, and a call for an unknown tool is a JSON-RPC error. Risks declared with
    /// <see cref="ToolRiskAttribute"/> on tool methods and classes are read from the tools' metadata.
    /// </summary>
    /// <param name="builder">The MCP server builder.</param>
    /// <param name="configure">Sets the server id and other settings; optional.</param>
    /// <returns>The builder.</returns>
    /// <remarks>
    /// Calls <c>services.AddMcpPolicy()</c>, which is safe to repeat: the policy itself comes from <c>AddMcpPolicy(...)</c>
    /// (code, configuration or a policy file) called before or after; with none, the defaults apply. The policy filter is added
    /// at this point of the call-filter chain (filters added earlier run outside it); a guard added after all other
    /// configuration, next to the tool, refuses any call the policy filter did not clear. Tools must be registered as
    /// <see cref="McpServerTool"/>s (<c>WithTools</c>): calls handled only by a custom call-tool handler are refused as unknown.
    /// Pipeline filters find the request's <see cref="McpServer"/> in <see cref="ToolInvocationContext.Items"/> under
    /// <c>typeof(McpServer)</c>, and the SDK request under <c>typeof(RequestContext&lt;CallToolRequestParams&gt;)</c>.
    /// </remarks>
    public static IMcpServerBuilder WithPolicy(this IMcpServerBuilder builder, Action<McpPolicyServerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddMcpPolicy();

        var options = services.AddOptions<McpPolicyServerOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<McpPolicyServerOptions>, McpPolicyServerOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Transient<IPostConfigureOptions<McpPolicyOptions>, ServerAnnotationTrustSetup>());
        services.TryAddEnumerable(ServiceDescriptor.Transient<IConfigureOptions<McpServerOptions>, PolicyServerFilters>());
        services.TryAddEnumerable(ServiceDescriptor.Transient<IPostConfigureOptions<McpServerOptions>, PolicyServerFilters>());
        return builder;
    }

    /// <summary>
    /// Asks the calling MCP client's user to approve HIGH calls through elicitation (<see cref="ElicitationApprovalHandler"/>).
    /// Calls from clients without elicitation support are denied.
    /// </summary>
    /// <param name="builder">The McpPolicy builder.</param>
    /// <returns>The builder.</returns>
    /// <remarks>Shorthand for <c>UseApprovalHandler&lt;ElicitationApprovalHandler&gt;()</c>: it replaces any approval handler registered before.</remarks>
    public static McpPolicyBuilder AddElicitationApprovals(this McpPolicyBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.UseApprovalHandler<ElicitationApprovalHandler>();
    }
}
