using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using McpPolicy.Control;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ModelContextProtocol.Protocol;

namespace McpPolicy;

/// <summary>
/// Pipeline step <see cref="ToolInvocationFilterOrder.Limit"/>: applies the policy's <c>limits</c> section with
/// System.Threading.RateLimiting. Per <c>limits.perTool</c> glob: a token bucket per principal (<c>perMinute</c>), a concurrency limit per
/// tool (<c>concurrency</c>) and a per-call timeout (<c>timeout</c>); per conversation: budgets of calls, approvals and bytes sent to
/// external sinks. A call over a limit is denied with the limit's id, such as <c>limits.perTool[fs/*].perMinute</c>. Any failure
/// inside the filter denies the call (fail closed).
/// </summary>
/// <remarks>
/// Counters live in memory for this process and survive a reload for every entry whose glob and value stay the same. A call that
/// needs an approval is also checked against the <see cref="IKillSwitch"/> once more right before the tool runs, since the approval
/// may have taken minutes.
/// </remarks>
public sealed partial class LimitFilter : IToolInvocationFilter, IDisposable
{
    private const int MaxIdleEntries = 10_000;

    private static readonly Func<ToolInvocationContext, CancellationToken, ValueTask<CallToolResult>> GuardedInvoker = InvokeGuardedAsync;

    private readonly IKillSwitch? _killSwitch;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<(string Entry, string Principal), TokenBucket> _buckets = new();
    private readonly ConcurrentDictionary<(string Entry, string Tool), ConcurrencyLimiter> _concurrency = new();
    private int _created;
    private readonly ConcurrentDictionary<string, ConversationBudget> _conversations = new(StringComparer.Ordinal);
    private volatile CompiledLimits _limits;

    /// <summary>Creates the filter for the <c>limits</c> of <paramref name="options"/>.</summary>
    /// <param name="options">The policy.</param>
    /// <param name="killSwitch">Checked again right before a call that waited for an approval runs; null skips that check.</param>
    /// <param name="time">The clock that refills token buckets and times calls out.</param>
    /// <param name="logger">Receives failures of the filter.</param>
    /// <exception cref="PolicyValidationException">The <c>limits</c> section is invalid.</exception>
    public LimitFilter(McpPolicyOptions options, IKillSwitch? killSwitch = null, TimeProvider? time = null, ILogger<LimitFilter>? logger = null)
    {
        _limits = CompiledLimits.Compile(options);
        _killSwitch = killSwitch;
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <inheritdoc />
    public int Order => ToolInvocationFilterOrder.Limit;

    /// <inheritdoc />
    /// <remarks>False: the filter never looks at a tool's result (it replaces the result of a call that timed out with a denial).</remarks>
    public bool PostProcessesResults => false;

    /// <summary>Puts the <c>limits</c> of a new policy in force. Counters of entries that did not change are kept.</summary>
    /// <param name="options">The new policy.</param>
    /// <exception cref="PolicyValidationException">The section is invalid; nothing changed.</exception>
    public void Reload(McpPolicyOptions options) => Apply(CompiledLimits.Compile(options));

    /// <summary>Drops what a finished conversation used of its budgets (a later call with the same id starts afresh).</summary>
    /// <param name="conversationId">The conversation id.</param>
    /// <returns>True when the conversation had counters.</returns>
    public bool ForgetConversation(string conversationId)
    {
        ArgumentNullException.ThrowIfNull(conversationId);
        return _conversations.TryRemove(conversationId, out _);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var bucket in _buckets.Values)
        {
            bucket.Dispose();
        }

        foreach (var limiter in _concurrency.Values)
        {
            limiter.Dispose();
        }
    }

    /// <inheritdoc />
    public ValueTask InvokeAsync(ToolInvocationContext context, ToolInvocationDelegate next, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var limits = _limits;
        var needsApproval = context.Decision is { Outcome: PolicyOutcome.RequiresApproval } && !context.IsCleared;
        var recheck = needsApproval && _killSwitch is not null;
        if (limits.IsEmpty && !recheck)
        {
            return next(context, cancellationToken);
        }

        RateLimitLease? lease = null;
        List<RateLimitLease>? leases = null;
        try
        {
            var (deniedId, message, timeout, timeoutId) = Admit(limits, context, needsApproval, ref lease, ref leases);
            if (deniedId is not null)
            {
                Release(lease, leases);
                context.Result = Denials.Create(deniedId, message!);
                return ValueTask.CompletedTask;
            }

            if (timeout is not null || recheck)
            {
                Guard(context, timeout, timeoutId, recheck ? _killSwitch : null);
            }
        }
#pragma warning disable CA1031 // Fail closed: a limit that cannot be checked denies the call.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Release(lease, leases);
            LogLimitFailed(_logger, context.QualifiedName, ex);
            context.Result = Denials.Create(LimitIds.Error, "the limits could not be checked for this call, so it was not run");
            return ValueTask.CompletedTask;
        }

        if (lease is null)
        {
            return next(context, cancellationToken);
        }

        return RunThenReleaseAsync(context, next, lease, leases, cancellationToken);
    }

    internal void Apply(CompiledLimits limits)
    {
        _limits = limits;
        Sweep();
    }

    /// <summary>The budgets a conversation has used (for tests): calls, approvals, sink bytes.</summary>
    internal (int Calls, int Approvals, long SinkBytes)? Used(string conversationId)
        => _conversations.TryGetValue(conversationId, out var b) ? (b.Calls, b.Approvals, b.SinkBytes) : null;

    /// <summary>The key a caller's token buckets are kept under: the subject, else the name identifier, else the name; anonymous callers share one.</summary>
    internal static string PrincipalKey(ClaimsPrincipal? principal)
    {
        if (principal is null)
        {
            return "";
        }

        var id = principal.FindFirst("sub")?.Value ?? principal.FindFirst(ClaimTypes.NameIdentifier)?.Value ?? principal.Identity?.Name;
        return string.IsNullOrEmpty(id) ? "" : "p:" + id;
    }

    private (string? DeniedId, string? Message, TimeSpan? Timeout, string? TimeoutId) Admit(CompiledLimits limits, ToolInvocationContext context, bool needsApproval, ref RateLimitLease? lease, ref List<RateLimitLease>? leases)
    {
        TimeSpan? timeout = null;
        string? timeoutId = null;
        string? principal = null;
        foreach (var limit in limits.PerTool)
        {
            if (!limit.Pattern.Matches(context.ServerId, context.ToolName))
            {
                continue;
            }

            if (limit.Timeout is { } t && (timeout is null || t < timeout))
            {
                timeout = t;
                timeoutId = limit.TimeoutId;
            }

            if (limit.Concurrency is { } permits)
            {
                if (!_concurrency.TryGetValue((limit.ConcurrencyKey, context.QualifiedName), out var limiter))
                {
                    limiter = _concurrency.GetOrAdd((limit.ConcurrencyKey, context.QualifiedName), static (_, n) => new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = n, QueueLimit = 0 }), permits);
                    Created();
                }

                var acquired = limiter.AttemptAcquire(1);
                if (!acquired.IsAcquired)
                {
                    acquired.Dispose();
                    return (limit.ConcurrencyId, string.Create(CultureInfo.InvariantCulture, $"'{context.QualifiedName}' is already running {permits} calls at once, the limit for '{limit.Pattern.Text}'; try again when one finishes"), null, null);
                }

                if (lease is null)
                {
                    lease = acquired;
                }
                else
                {
                    (leases ??= []).Add(acquired);
                }
            }

            if (limit.PerMinute is { } perMinute)
            {
                principal ??= PrincipalKey(context.Principal);
                if (!_buckets.TryGetValue((limit.BucketKey, principal), out var bucket))
                {
                    bucket = _buckets.GetOrAdd((limit.BucketKey, principal), static (_, state) => new TokenBucket(state.PerMinute, TimeSpan.FromMinutes(1) / state.PerMinute, state.Time), (PerMinute: perMinute, Time: _time));
                    Created();
                }

                if (!bucket.TryTake())
                {
                    return (limit.PerMinuteId, string.Create(CultureInfo.InvariantCulture, $"the rate limit of {perMinute} calls per minute for '{limit.Pattern.Text}' is used up for this caller; try again later"), null, null);
                }
            }
        }

        if (limits.HasConversationBudgets && context.ConversationId is { } conversation)
        {
            var bytes = limits.MaxSinkBytes is not null && limits.IsExternalSink(context) ? CompiledLimits.ArgumentBytes(context.Arguments) : 0;
            var budget = _conversations.GetOrAdd(conversation, static _ => new ConversationBudget());
            switch (budget.TryCharge(limits, needsApproval, bytes))
            {
                case LimitIds.MaxCalls:
                    return (LimitIds.MaxCalls, string.Create(CultureInfo.InvariantCulture, $"this conversation has made the {limits.MaxCalls} calls its budget allows"), null, null);
                case LimitIds.MaxApprovals:
                    return (LimitIds.MaxApprovals, string.Create(CultureInfo.InvariantCulture, $"this call needs an approval and this conversation has asked for the {limits.MaxApprovals} approvals its budget allows"), null, null);
                case LimitIds.MaxSinkBytes:
                    return (LimitIds.MaxSinkBytes, string.Create(CultureInfo.InvariantCulture, $"sending these {bytes} bytes to an external sink would take this conversation past its budget of {limits.MaxSinkBytes} bytes"), null, null);
            }
        }

        return (null, null, timeout, timeoutId);
    }

    private static void Release(RateLimitLease? lease, List<RateLimitLease>? leases)
    {
        lease?.Dispose();
        if (leases is not null)
        {
            foreach (var l in leases)
            {
                l.Dispose();
            }
        }
    }

    private static async ValueTask RunThenReleaseAsync(ToolInvocationContext context, ToolInvocationDelegate next, RateLimitLease lease, List<RateLimitLease>? leases, CancellationToken cancellationToken)
    {
        try
        {
            await next(context, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Release(lease, leases);
        }
    }

    /// <summary>Wraps the call's invoker so the tool runs under the timeout and only if the kill switch still lets it.</summary>
    private void Guard(ToolInvocationContext context, TimeSpan? timeout, string? timeoutId, IKillSwitch? killSwitch)
    {
        if (context.Invoker is null)
        {
            return;
        }

        context.InvokerState = new GuardedCall(this, context.Invoker, context.InvokerState, timeout, timeoutId, killSwitch);
        context.Invoker = GuardedInvoker;
    }

    private static ValueTask<CallToolResult> InvokeGuardedAsync(ToolInvocationContext context, CancellationToken cancellationToken)
    {
        var call = (GuardedCall)context.InvokerState!;

        // The real invoker reads its own state from the context.
        context.Invoker = call.Invoker;
        context.InvokerState = call.State;
        if (call.KillSwitch?.Find(context.ServerId, context.ToolName) is { } entry)
        {
            return new ValueTask<CallToolResult>(KillSwitchFilter.Denied(entry));
        }

        return call.Timeout is { } timeout ? call.Owner.InvokeWithTimeoutAsync(context, call, timeout, cancellationToken) : call.Invoker(context, cancellationToken);
    }

    private async ValueTask<CallToolResult> InvokeWithTimeoutAsync(ToolInvocationContext context, GuardedCall call, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timer = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timer.Token, cancellationToken);
        var invocation = call.Invoker(context, linked.Token).AsTask();
        try
        {
            // WaitAsync also ends a call whose tool ignores its token.
            return await invocation.WaitAsync(timeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is TimeoutException || (ex is OperationCanceledException && timer.IsCancellationRequested))
        {
            // The abandoned call may still fail later; observe it so it is not reported as unobserved.
            _ = invocation.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            LogTimedOut(_logger, context.QualifiedName, timeout);
            return Denials.Create(call.TimeoutId!, string.Create(CultureInfo.InvariantCulture, $"the tool did not finish within {timeout:c}, the limit for this tool, so the call was cancelled and its result discarded"));
        }
    }

    private void Created()
    {
        // Counting a ConcurrentDictionary takes all its locks: look only every 1024 new counters.
        if ((Interlocked.Increment(ref _created) & 1023) == 0)
        {
            Sweep();
        }
    }

    /// <summary>
    /// Forgets idle counters when there are many: full token buckets and concurrency limits no call holds, since a new one would start
    /// the same. (A call that fetched a counter just before it was forgotten still uses the old one: at worst one extra admission.)
    /// </summary>
    private void Sweep()
    {
        if (_buckets.Count > MaxIdleEntries)
        {
            foreach (var (key, bucket) in _buckets)
            {
                if (bucket.IsIdle && _buckets.TryRemove(KeyValuePair.Create(key, bucket)))
                {
                    bucket.Dispose();
                }
            }
        }

        if (_concurrency.Count > MaxIdleEntries)
        {
            foreach (var (key, limiter) in _concurrency)
            {
                if (IsUnused(limiter) && _concurrency.TryRemove(KeyValuePair.Create(key, limiter)))
                {
                    limiter.Dispose();
                }
            }
        }
    }

    private static bool IsUnused(ConcurrencyLimiter limiter)
    {
        // The permit limit is the largest count AttemptAcquire accepts; taking that many at once works only when no call holds one.
        var available = (int)limiter.GetStatistics()!.CurrentAvailablePermits;
        if (available == 0)
        {
            return false;
        }

        try
        {
            using var all = limiter.AttemptAcquire(available + 1);
            return false;
        }
        catch (ArgumentOutOfRangeException)
        {
            // available + 1 exceeds the limit, so available is the whole limit: nothing is held.
            return true;
        }
    }

    [LoggerMessage(EventId = 602, Level = LogLevel.Error, Message = "The limits could not be checked for {Tool}; the call is denied.")]
    private static partial void LogLimitFailed(ILogger logger, string tool, Exception exception);

    [LoggerMessage(EventId = 603, Level = LogLevel.Warning, Message = "{Tool} did not finish within its timeout of {Timeout}; the call is cancelled and denied.")]
    private static partial void LogTimedOut(ILogger logger, string tool, TimeSpan timeout);

    private sealed record GuardedCall(LimitFilter Owner, Func<ToolInvocationContext, CancellationToken, ValueTask<CallToolResult>> Invoker, object? State, TimeSpan? Timeout, string? TimeoutId, IKillSwitch? KillSwitch);
}
