using System.Diagnostics.Metrics;
using McpPolicy.Engine;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace McpPolicy.Control;

/// <summary>
/// Hot reload: listens to the change tokens of the policy's sources (the <see cref="IOptionsChangeTokenSource{TOptions}"/>s that
/// <see cref="IOptionsMonitor{TOptions}"/> also listens to: configuration sections, policy files), builds the new options through
/// <see cref="IOptionsFactory{TOptions}"/>, compiles the policy, the limits and the kill switch entries, and only when all of them are
/// valid swaps each in atomically. An invalid change keeps the policy in force, logs an error and counts a rejected reload: it never opens up.
/// </summary>
internal sealed partial class PolicyReloader : IDisposable
{
    /// <summary>The name of the meter the reload counter belongs to.</summary>
    public const string MeterName = "McpPolicy";

    /// <summary>The counter of reloads, tagged <c>outcome</c> = <c>applied</c> or <c>rejected</c>.</summary>
    public const string ReloadCounterName = "mcppolicy.policy.reloads";

    /// <summary>Why a policy with <c>killSwitch</c> entries is refused when <see cref="IKillSwitch"/> was replaced.</summary>
    internal const string ForeignKillSwitch = "the policy has killSwitch entries, but the registered IKillSwitch is not McpPolicy's KillSwitch, so they would not apply; register an IKillSwitchStore instead of replacing IKillSwitch";

    private readonly IOptionsFactory<McpPolicyOptions> _factory;
    private readonly PolicyEvaluator _evaluator;
    private readonly LimitFilter _limits;
    private readonly KillSwitch? _killSwitch;
    private readonly ILogger _logger;
    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _reloads;
    private readonly List<IDisposable> _registrations = [];
    private readonly Lock _gate = new();

    public PolicyReloader(
        IOptionsFactory<McpPolicyOptions> factory,
        IEnumerable<IOptionsChangeTokenSource<McpPolicyOptions>> sources,
        PolicyEvaluator evaluator,
        LimitFilter limits,
        KillSwitch? killSwitch,
        IMeterFactory? meterFactory = null,
        ILogger<PolicyReloader>? logger = null)
    {
        _factory = factory;
        _evaluator = evaluator;
        _limits = limits;
        _killSwitch = killSwitch;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _reloads = _meter.CreateCounter<long>(ReloadCounterName, "{reload}", "Policy reloads, by outcome: applied, or rejected (the previous policy stays in force).");
        foreach (var source in sources)
        {
            if (source.Name == Options.DefaultName)
            {
                _registrations.Add(ChangeToken.OnChange(source.GetChangeToken, () => Reload()));
                if (source is PolicyFileChangeTokenSource { WatchError: { } error } file)
                {
                    LogNotWatched(_logger, file.Path, error);
                }
            }
        }
    }

    /// <summary>Builds, checks and applies the current options; on any error keeps what is in force.</summary>
    /// <returns>True when the new policy was applied.</returns>
    public bool Reload()
    {
        lock (_gate)
        {
            try
            {
                var options = _factory.Create(Options.DefaultName);
                var policy = _evaluator.Prepare(options);
                var limits = CompiledLimits.Compile(options);

                if (_killSwitch is null && limits.KillSwitch.Length > 0)
                {
                    throw new InvalidOperationException(ForeignKillSwitch);
                }

                // Everything compiled: put each part in force.
                _evaluator.Swap(policy);
                _limits.Apply(limits);
                _killSwitch?.SetConfigured(limits.KillSwitch);
                _reloads.Add(1, new KeyValuePair<string, object?>("outcome", "applied"));
                LogReloaded(_logger, policy.Version);
                return true;
            }
#pragma warning disable CA1031 // Fail closed: whatever went wrong, the policy in force stays.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _reloads.Add(1, new KeyValuePair<string, object?>("outcome", "rejected"));
                LogRejected(_logger, _evaluator.PolicyVersion, Describe(ex), ex);
                return false;
            }
        }
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private static string Describe(Exception ex) => ex switch
    {
        PolicyValidationException p => string.Join("; ", p.Errors.Select(e => e.ToString())),
        OptionsValidationException o => string.Join("; ", o.Failures),
        _ => ex.Message,
    };

    [LoggerMessage(EventId = 612, Level = LogLevel.Warning, Message = "The policy file {Path} cannot be watched, so changes to it are not reloaded.")]
    private static partial void LogNotWatched(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 610, Level = LogLevel.Information, Message = "Policy reloaded; version {Version} is in force.")]
    private static partial void LogReloaded(ILogger logger, string version);

    [LoggerMessage(EventId = 611, Level = LogLevel.Error, Message = "A policy change was rejected, so version {Version} stays in force: {Errors}")]
    private static partial void LogRejected(ILogger logger, string version, string errors, Exception exception);
}
