using McpPolicy;
using McpPolicy.Tokens;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds audience-bound access tokens and per-tool scopes to an MCP server.</summary>
public static class McpTokenServerBuilderExtensions
{
    /// <summary>
    /// Requires callers of this server to hold an access token issued for it (its <c>aud</c> names
    /// <see cref="TokenAuthorizationOptions.Resource"/>) with the scopes each tool requires (<see cref="RequireScopeAttribute"/>
    /// and the policy's <c>tools[].scopes</c>): tools the caller may not call are hidden from <c>tools/list</c>, and calling one
    /// returns an <c>invalid_token</c> or <c>insufficient_scope</c> error result (<see cref="TokenDenials"/>).
    /// </summary>
    /// <param name="builder">The MCP server builder.</param>
    /// <param name="configure">Sets the resource, and for servers without HTTP authentication the token source and its validation.</param>
    /// <returns>The builder.</returns>
    /// <remarks>
    /// Also applies <c>WithPolicy()</c>, since the call check is a step of the McpPolicy pipeline
    /// (<see cref="ToolInvocationFilterOrder.Authorize"/>). The principal is the request's user: the one an HTTP host's
    /// authentication set (a <see cref="System.Security.Claims.ClaimsPrincipal"/> handed over as is, with the same audience and
    /// scope checks), or the one validated from <see cref="TokenAuthorizationOptions.TokenSource"/>. Registers a
    /// <see cref="ReceivedTokens"/> singleton that records every token validated here, for <see cref="TokenPassthroughGuard"/>.
    /// </remarks>
    public static IMcpServerBuilder WithTokenAuthorization(this IMcpServerBuilder builder, Action<TokenAuthorizationOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        builder.WithPolicy();
        services.AddOptions<TokenAuthorizationOptions>().Configure(configure).Validate(
            o => o.TokenSource is null || o.Validation is not null,
            "TokenAuthorizationOptions.TokenSource needs TokenAuthorizationOptions.Validation (issuer, resource and keys) to validate the token it returns.");
        services.TryAddSingleton(sp => new ReceivedTokens(sp.GetService<TimeProvider>()));
        services.TryAddSingleton<ScopeRequirements>();
        services.TryAddSingleton(sp => CreateAuthorization(sp.GetRequiredService<IOptions<TokenAuthorizationOptions>>().Value));
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<TokenAuthorizationOptions>>().Value;
            var validation = options.Validation
                ?? throw new InvalidOperationException("No AccessTokenValidator is available: set TokenAuthorizationOptions.Validation, or register an AccessTokenValidator yourself.");
            return new AccessTokenValidator(validation, sp.GetService<TimeProvider>(), sp.GetRequiredService<ReceivedTokens>());
        });
        services.AddMcpPolicy().AddFilter<TokenAuthorizationFilter>();
        services.TryAddEnumerable(ServiceDescriptor.Transient<IConfigureOptions<McpServerOptions>, TokenServerFilters>());
        return builder;
    }

    /// <summary>
    /// Adds a <see cref="TokenPassthroughGuard"/> to a named or typed <see cref="HttpClient"/> that tools use downstream, so it
    /// never forwards a token this server received and never sends a token whose audience is not the destination.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Settings of the guard; optional.</param>
    /// <returns>The services.</returns>
    /// <remarks>Use the guard with <c>new HttpClient(guard)</c> or an <c>IHttpClientFactory</c> handler; resolve it from DI.</remarks>
    public static IServiceCollection AddTokenPassthroughGuard(this IServiceCollection services, Action<TokenPassthroughGuardOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<TokenPassthroughGuardOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton(sp => new ReceivedTokens(sp.GetService<TimeProvider>()));
        services.TryAddTransient(sp => new TokenPassthroughGuard(
            sp.GetRequiredService<ReceivedTokens>(),
            sp.GetRequiredService<IOptions<TokenPassthroughGuardOptions>>().Value,
            sp.GetService<ILogger<TokenPassthroughGuard>>()));
        return services;
    }

    private static CallerAuthorization CreateAuthorization(TokenAuthorizationOptions options)
    {
        var resourceText = options.Resource ?? options.Validation?.Resource;
        ResourceIndicator? resource = null;
        if (!string.IsNullOrEmpty(resourceText) && !ResourceIndicator.TryParse(resourceText, out resource))
        {
            throw new InvalidOperationException($"TokenAuthorizationOptions.Resource '{resourceText}' is not a valid resource URI: set it to this server's canonical https URI.");
        }

        if (resource is null)
        {
            throw new InvalidOperationException("TokenAuthorizationOptions.Resource is required: set it to this server's canonical resource URI, which tokens must name in 'aud'.");
        }

        return new CallerAuthorization(resource, options.RequireAuthenticatedCaller, options.ResourceMetadata);
    }
}
