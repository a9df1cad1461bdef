using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace McpPolicy;

/// <summary>
/// Pipeline step <see cref="DefaultOrder"/>: denies a call whose tool is disabled by the <see cref="IKillSwitch"/>, with the rule id
/// <c>killswitch:&lt;scope&gt;</c>. If the kill switch cannot be read, every call is denied (fail closed).
/// </summary>
/// <remarks>
/// It runs right after <see cref="ToolInvocationFilterOrder.Identify"/> and before schema validation, policy evaluation, flow and token
/// checks, so a disabled tool costs nothing else, asks nobody for a step-up or an approval, and its denial names the kill switch rather
/// than whatever later step would have objected.
/// </remarks>
public sealed partial class KillSwitchFilter : IToolInvocationFilter
{
    /// <summary>The order the filter runs at: after identification, before validation.</summary>
    public const int DefaultOrder = ToolInvocationFilterOrder.Identify + 50;

    private readonly IKillSwitch _killSwitch;
    private readonly ILogger _logger;

    /// <summary>Creates the filter.</summary>
    /// <param name="killSwitch">The kill switch to consult on every call.</param>
    /// <param name="logger">Receives kill switch failures.</param>
    public KillSwitchFilter(IKillSwitch killSwitch, ILogger<KillSwitchFilter>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(killSwitch);
        _killSwitch = killSwitch;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <inheritdoc />
    public int Order => DefaultOrder;

    /// <inheritdoc />
    /// <remarks>False: the filter decides before the tool runs and never looks at its result.</remarks>
    public bool PostProcessesResults => false;

    /// <inheritdoc />
    public ValueTask InvokeAsync(ToolInvocationContext context, ToolInvocationDelegate next, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        KillSwitchEntry? entry;
        try
        {
            entry = _killSwitch.Find(context.ServerId, context.ToolName);
        }
#pragma warning disable CA1031 // Fail closed: a kill switch that cannot be read denies the call.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogKillSwitchFailed(_logger, context.QualifiedName, ex);
            context.Result = Denials.Create("killswitch:error", "the kill switch could not be read, so no call is run until it can");
            return ValueTask.CompletedTask;
        }

        if (entry is not null)
        {
            context.Result = Denied(entry);
            return ValueTask.CompletedTask;
        }

        return next(context, cancellationToken);
    }

    /// <summary>The denial for a call that <paramref name="entry"/> disables.</summary>
    internal static ModelContextProtocol.Protocol.CallToolResult Denied(KillSwitchEntry entry)
    {
        var what = entry.Scope.Kind switch
        {
            KillSwitchScopeKind.All => "every tool is disabled by the kill switch",
            KillSwitchScopeKind.Server => $"the tools of server '{entry.Scope.Target}' are disabled by the kill switch",
            _ => $"tools matching '{entry.Scope.Target}' are disabled by the kill switch",
        };
        return Denials.Create(entry.Scope.Id, entry.Reason is null ? what : $"{what}: {entry.Reason}");
    }

    [LoggerMessage(EventId = 601, Level = LogLevel.Error, Message = "The kill switch could not be read for {Tool}; the call is denied.")]
    private static partial void LogKillSwitchFailed(ILogger logger, string tool, Exception exception);
}
