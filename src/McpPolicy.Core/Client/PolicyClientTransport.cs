using System.Security.Claims;
using McpPolicy.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpPolicy;

/// <summary>
/// Puts the policy gate in front of any MCP client transport (stdio, stream, HTTP). Every <c>tools/call</c> the client sends, whatever
/// API made it, runs through the <see cref="ToolInvocationPipeline"/> first: a denied call never reaches the server and comes back as a
/// <see cref="CallToolResult"/> with <c>IsError</c> set; an allowed call's result passes back through the pipeline before the client sees it,
/// decoded and re-encoded when a filter post-processes results (<see cref="IToolInvocationFilter.PostProcessesResults"/>), else handed on
/// as the server sent it.
/// <c>tools/list</c> responses fill the <see cref="ToolCatalog"/>, and tools the policy blocks outright are hidden from them.
/// </summary>
/// <remarks>
/// Tools are identified as <c>serverId/toolName</c> with the server id given here, never with a name the server reports.
/// Create it with <see cref="McpPolicyClientServiceProviderExtensions.CreatePolicyTransport"/>, or connect in one step with
/// <see cref="McpPolicyClient.CreateAsync"/>.
/// </remarks>
public sealed class PolicyClientTransport : IClientTransport
{
    private readonly IClientTransport _inner;
    private readonly ServerToolCatalog _serverCatalog;
    private readonly ILogger _logger;

    /// <summary>Wraps <paramref name="innerTransport"/> for the server the host calls <paramref name="serverId"/>.</summary>
    /// <param name="serverId">The host's id for the server, as policy patterns name it (<c>serverId/tool</c>); non-empty, without '/'.</param>
    /// <param name="innerTransport">The transport that reaches the server.</param>
    /// <param name="pipeline">The policy pipeline every call runs through.</param>
    /// <param name="evaluator">The policy evaluator, used to hide blocked tools from listings.</param>
    /// <param name="catalog">The host's tool catalog; null for a private one.</param>
    /// <param name="options">Settings; null for the defaults.</param>
    /// <param name="loggerFactory">Logging; null for none.</param>
    /// <exception cref="ArgumentException"><paramref name="serverId"/> is empty or contains '/'.</exception>
    public PolicyClientTransport(
        string serverId,
        IClientTransport innerTransport,
        ToolInvocationPipeline pipeline,
        IPolicyEvaluator evaluator,
        ToolCatalog? catalog = null,
        PolicyClientTransportOptions? options = null,
        ILoggerFactory? loggerFactory = null)
        : this(serverId, innerTransport, pipeline, evaluator, catalog, options, loggerFactory, services: null, timeProvider: null)
    {
    }

    internal PolicyClientTransport(
        string serverId,
        IClientTransport innerTransport,
        ToolInvocationPipeline pipeline,
        IPolicyEvaluator evaluator,
        ToolCatalog? catalog,
        PolicyClientTransportOptions? options,
        ILoggerFactory? loggerFactory,
        IServiceProvider? services,
        TimeProvider? timeProvider)
    {
        ArgumentException.ThrowIfNullOrEmpty(serverId);
        if (serverId.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException("A server id must not contain '/'.", nameof(serverId));
        }

        ArgumentNullException.ThrowIfNull(innerTransport);
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(evaluator);
        options ??= new PolicyClientTransportOptions();
        if (options.CatalogLoadTimeout <= TimeSpan.Zero && options.CatalogLoadTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.CatalogLoadTimeout, "CatalogLoadTimeout must be positive or infinite.");
        }

        ServerId = serverId;
        _inner = innerTransport;
        Pipeline = pipeline;
        Evaluator = evaluator;
        Catalog = catalog ?? new ToolCatalog();
        _serverCatalog = Catalog.GetServer(serverId);
        PrincipalProvider = options.Principal;
        CatalogLoadTimeout = options.CatalogLoadTimeout;
        TimeProvider = options.TimeProvider ?? timeProvider ?? TimeProvider.System;
        Services = services;
        InlineReplies = HasOnlyBuiltInFilters(pipeline);
        PassesResultsThrough = !pipeline.PostProcessesResults;
        _logger = (ILogger?)loggerFactory?.CreateLogger<PolicyClientTransport>() ?? NullLogger.Instance;
    }

    /// <summary>The host's id for the server: the first segment of every tool identity this transport decides on.</summary>
    public string ServerId { get; }

    /// <summary>The catalog this transport keeps current for <see cref="ServerId"/>.</summary>
    public ToolCatalog Catalog { get; }

    /// <inheritdoc />
    public string Name => _inner.Name;

    internal ToolInvocationPipeline Pipeline { get; }

    internal IPolicyEvaluator Evaluator { get; }

    internal Func<ClaimsPrincipal?>? PrincipalProvider { get; }

    internal TimeSpan CatalogLoadTimeout { get; }

    internal TimeProvider TimeProvider { get; }

    internal IServiceProvider? Services { get; }

    /// <summary>
    /// True when every filter of the pipeline is a built-in step that does nothing once the tool ran, so a server's reply can finish
    /// its call on the transport's reader (no user code runs there). A host whose every filter is McpPolicy's own and never waits on
    /// anything after the tool ran (the gateway) sets it too.
    /// </summary>
    internal bool InlineReplies { get; set; }

    /// <summary>
    /// Offered every message the gate is about to hand to its client while the connection is open, on the thread that produced it; a
    /// message it takes (returns true) is not delivered. For a host that sends some requests on the connection itself, past its MCP
    /// client, and takes their answers here (the gateway). Must not throw. Set before connecting.
    /// </summary>
    internal Func<JsonRpcMessage, bool>? DeliveryTap { get; set; }

    /// <summary>
    /// True when no filter of the pipeline post-processes results (<see cref="IToolInvocationFilter.PostProcessesResults"/>): the server's
    /// response to a call cleared by the pipeline reaches the client as it came, without being decoded and re-encoded.
    /// </summary>
    internal bool PassesResultsThrough { get; }

    /// <summary>The most recent connection (for tests, and the gateway, which connects once and sends its forwarded calls on it).</summary>
    internal PolicySessionTransport? LastSession { get; private set; }

    private static bool HasOnlyBuiltInFilters(ToolInvocationPipeline pipeline)
    {
        foreach (var filter in pipeline.Filters)
        {
            // Core's own steps: after the tool ran they do nothing, or release their rate-limit leases.
            if (filter is not (PolicyAssessmentFilter or PolicyDecisionFilter or KillSwitchFilter or LimitFilter))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc />
    public async Task<ITransport> ConnectAsync(CancellationToken cancellationToken = default)
    {
        var inner = await _inner.ConnectAsync(cancellationToken).ConfigureAwait(false);
        var session = new PolicySessionTransport(this, inner, _serverCatalog, _logger);
        LastSession = session;
        return session;
    }
}
