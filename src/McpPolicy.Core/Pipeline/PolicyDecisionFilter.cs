using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace McpPolicy;

/// <summary>
/// Pipeline step <see cref="ToolInvocationFilterOrder.Decide"/>: enforces the final decision after every raising step has run.
/// BLOCK is denied. HIGH proceeds only with an approval bound to the exact call: a grant already in the
/// <see cref="IApprovalStore"/>, or a yes from the <see cref="IApprovalHandler"/> within the policy's approval timeout.
/// No handler, a handler that throws, times out or says no: denied.
/// </summary>
public sealed partial class PolicyDecisionFilter : IToolInvocationFilter
{
    private readonly IPolicyEvaluator _evaluator;
    private readonly IApprovalStore _store;
    private readonly IApprovalHandler? _handler;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Creates the filter.</summary>
    /// <param name="evaluator">Supplies the approval settings of the policy in force.</param>
    /// <param name="store">Grants made ahead of calls.</param>
    /// <param name="handler">Asks a human; null means HIGH calls are denied unless pre-approved.</param>
    /// <param name="time">The clock for expiry and timeouts.</param>
    /// <param name="logger">Receives handler failures.</param>
    public PolicyDecisionFilter(IPolicyEvaluator evaluator, IApprovalStore store, IApprovalHandler? handler = null, TimeProvider? time = null, ILogger<PolicyDecisionFilter>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(evaluator);
        ArgumentNullException.ThrowIfNull(store);
        _evaluator = evaluator;
        _store = store;
        _handler = handler;
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <inheritdoc />
    public int Order => ToolInvocationFilterOrder.Decide;

    /// <inheritdoc />
    /// <remarks>False: the filter decides before the tool runs and never looks at its result.</remarks>
    public bool PostProcessesResults => false;

    /// <inheritdoc />
    public ValueTask InvokeAsync(ToolInvocationContext context, ToolInvocationDelegate next, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var decision = context.Decision;
        if (decision is null)
        {
            context.Result = Denials.Create("policy-not-evaluated", "no policy decision was made for this call, so it was not run");
            return ValueTask.CompletedTask;
        }

        if (context.IsCleared)
        {
            return next(context, cancellationToken);
        }

        if (decision.Outcome != PolicyOutcome.RequiresApproval)
        {
            context.Result = Denials.For(decision);
            return ValueTask.CompletedTask;
        }

        return ApproveThenInvokeAsync(context, decision, next, cancellationToken);
    }

    private async ValueTask ApproveThenInvokeAsync(ToolInvocationContext context, PolicyDecision decision, ToolInvocationDelegate next, CancellationToken cancellationToken)
    {
        var settings = _evaluator.Approval;
        var digest = ApprovalDigest.Compute(context, decision.PolicyVersion);
        var now = _time.GetUtcNow();
        if (_store.TryConsume(digest, now, out var stored) && stored is { IsApproved: true } && string.Equals(stored.Digest, digest, StringComparison.Ordinal))
        {
            context.Approval = stored;
            await next(context, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (_handler is null)
        {
            context.Result = Denials.Create(decision.DecisiveReason.Id, decision.DecisiveReason.Message + ". This call needs a human approval and no approver is configured");
            return;
        }

        var expiresAt = now + settings.Timeout;
        var request = new ApprovalRequest(context.ServerId, context.ToolName, decision, ApprovalDigest.Preview(context.Arguments), digest, expiresAt)
        {
            ConversationId = context.ConversationId,
            Principal = context.Principal,
            Invocation = context,
        };

        ApprovalResponse? response;
        using (var timeout = new CancellationTokenSource(settings.Timeout, _time))
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken))
        {
            try
            {
                // WaitAsync also ends a handler that ignores its token.
                response = await _handler.RequestApprovalAsync(request, linked.Token).AsTask()
                    .WaitAsync(settings.Timeout, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
            {
                LogApprovalTimedOut(_logger, context.QualifiedName);
                context.Result = Denials.Create("approval", "no approval arrived in time for this high-risk call, so it was not run");
                return;
            }
#pragma warning disable CA1031 // Fail closed: any failure of the approval handler denies the call.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogApprovalFailed(_logger, context.QualifiedName, ex);
                context.Result = Denials.Create("approval", "the approval step failed for this high-risk call, so it was not run");
                return;
            }
        }

        if (response is not { IsApproved: true } || string.IsNullOrWhiteSpace(response.Approver))
        {
            var who = string.IsNullOrWhiteSpace(response?.Approver) ? "the approver" : response.Approver;
            context.Result = Denials.Create("approval", $"{who} did not approve this high-risk call ({decision.DecisiveReason.Message})");
            return;
        }

        var grant = new ApprovalGrant(true, response.Approver, digest, response.Comment);
        if (!settings.SingleUse)
        {
            _store.Grant(digest, grant, expiresAt, singleUse: false);
        }

        context.Approval = grant;
        await next(context, cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "Approval for {Tool} timed out; the call is denied.")]
    private static partial void LogApprovalTimedOut(ILogger logger, string tool);

    [LoggerMessage(EventId = 11, Level = LogLevel.Error, Message = "The approval handler failed for {Tool}; the call is denied.")]
    private static partial void LogApprovalFailed(ILogger logger, string tool, Exception exception);
}
