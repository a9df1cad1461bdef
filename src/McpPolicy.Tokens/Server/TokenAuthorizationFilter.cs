using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpPolicy.Tokens;

/// <summary>
/// The pipeline step (<see cref="ToolInvocationFilterOrder.Authorize"/>) that denies server-side calls whose caller lacks a valid
/// principal for this resource or a scope the tool requires. Calls not made through an MCP server (client-side pipelines) pass.
/// </summary>
internal sealed partial class TokenAuthorizationFilter : IToolInvocationFilter
{
    private readonly CallerAuthorization _authorization;
    private readonly ScopeRequirements _requirements;
    private readonly ILogger _logger;

    public TokenAuthorizationFilter(CallerAuthorization authorization, ScopeRequirements requirements, ILogger<TokenAuthorizationFilter>? logger = null)
    {
        _authorization = authorization;
        _requirements = requirements;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    public int Order => ToolInvocationFilterOrder.Authorize;

    /// <inheritdoc />
    /// <remarks>False: the filter decides before the tool runs and never looks at its result.</remarks>
    public bool PostProcessesResults => false;

    public ValueTask InvokeAsync(ToolInvocationContext context, ToolInvocationDelegate next, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (!context.Items.ContainsKey(typeof(McpServer)))
        {
            return next(context, cancellationToken);
        }

        string? failure = null;
        if (context.Items.TryGetValue(typeof(RequestContext<CallToolRequestParams>), out var value) && value is RequestContext<CallToolRequestParams> request)
        {
            failure = TokenServerFilters.FailureOf(request.Items);
        }

        var required = _requirements.For(context.ServerId, context.ToolName, context.Tool);
        var denial = _authorization.Check(context.Principal, context.ToolName, required, failure);
        if (denial is not null)
        {
            if (_logger.IsEnabled(LogLevel.Information))
            {
                var subject = context.Principal?.FindFirst(TokenClaimTypes.Subject)?.Value;
                var client = context.Principal?.FindFirst(TokenClaimTypes.ClientId)?.Value;
                LogDenied(_logger, context.QualifiedName, subject, client, required);
            }
            context.Result = denial;
            return ValueTask.CompletedTask;
        }

        return next(context, cancellationToken);
    }

    [LoggerMessage(EventId = 311, Level = LogLevel.Information, Message = "Denied {Tool} for subject {Subject} (client {ClientId}): no valid token for this server or a missing scope (requires {Scopes}).")]
    private static partial void LogDenied(ILogger logger, string tool, string? subject, string? clientId, IReadOnlyList<string> scopes);
}
