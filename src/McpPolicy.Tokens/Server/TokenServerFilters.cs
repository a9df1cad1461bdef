using System.Security.Claims;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpPolicy.Tokens;

/// <summary>
/// The MCP server filters of token authorization: a <c>tools/list</c> filter that hides tools the caller may not call, and, when a
/// token source is configured, an incoming message filter that validates the token and attaches the principal to each request.
/// </summary>
internal sealed partial class TokenServerFilters : IConfigureOptions<McpServerOptions>
{
    /// <summary>The message <c>Items</c> key under which the message filter leaves why the configured token was refused.</summary>
    internal const string FailureKey = "io.mcppolicy/token-failure";

    private readonly CallerAuthorization _authorization;
    private readonly ScopeRequirements _requirements;
    private readonly IOptions<McpPolicyServerOptions> _server;
    private readonly IOptions<TokenAuthorizationOptions> _options;
    private readonly IServiceProvider _services;
    private readonly ILogger _logger;

    public TokenServerFilters(
        CallerAuthorization authorization,
        ScopeRequirements requirements,
        IOptions<McpPolicyServerOptions> server,
        IOptions<TokenAuthorizationOptions> options,
        IServiceProvider services,
        ILogger<TokenServerFilters>? logger = null)
    {
        _authorization = authorization;
        _requirements = requirements;
        _server = server;
        _options = options;
        _services = services;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    public void Configure(McpServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var serverId = _server.Value.ServerId;
        options.Filters.Request.ListToolsFilters.Add(next => (request, cancellationToken) => ListAsync(serverId, request, next, cancellationToken));
        var settings = _options.Value;
        if (settings.TokenSource is { } source)
        {
            var principals = new TokenPrincipalCache(_services.GetRequiredService<AccessTokenValidator>(), source, _services, _services.GetService<TimeProvider>() ?? TimeProvider.System);

            // Added to the front so every later message filter and every request filter sees the principal.
            options.Filters.Message.IncomingFilters.Insert(0, next => async (context, cancellationToken) =>
            {
                if (context.JsonRpcMessage is JsonRpcRequest && context.User?.Identities.Any(i => i.IsAuthenticated) != true)
                {
                    var result = await principals.GetAsync(cancellationToken).ConfigureAwait(false);
                    if (result.Principal is { } principal)
                    {
                        context.User = principal;
                    }
                    else
                    {
                        LogTokenRefused(_logger, result.ErrorCode ?? "token_missing");
                        context.Items[FailureKey] = result.Message;
                    }
                }

                await next(context, cancellationToken).ConfigureAwait(false);
            });
        }
    }

    internal static string? FailureOf(IDictionary<string, object?> items)
        => items.TryGetValue(FailureKey, out var value) ? value as string : null;

    private async ValueTask<ListToolsResult> ListAsync(
        string serverId,
        RequestContext<ListToolsRequestParams> request,
        McpRequestHandler<ListToolsRequestParams, ListToolsResult> next,
        CancellationToken cancellationToken)
    {
        var result = await next(request, cancellationToken).ConfigureAwait(false);
        var collection = request.Server.ServerOptions.ToolCollection;
        ClaimsPrincipal? user = request.User;
        var kept = new List<Tool>(result.Tools.Count);
        foreach (var listed in result.Tools)
        {
            var descriptor = collection is not null && collection.TryGetPrimitive(listed.Name, out var primitive)
                ? ToolPolicyMetadata.GetDescriptor(primitive)
                : ToolDescriptor.FromProtocol(listed);
            if (_authorization.Check(user, listed.Name, _requirements.For(serverId, listed.Name, descriptor), null) is null)
            {
                kept.Add(listed);
            }
        }

        if (kept.Count != result.Tools.Count)
        {
            result.Tools = kept;
        }

        return result;
    }

    [LoggerMessage(EventId = 312, Level = LogLevel.Warning, Message = "The configured access token was refused ({ErrorCode}); requests run without a principal.")]
    private static partial void LogTokenRefused(ILogger logger, string errorCode);
}
