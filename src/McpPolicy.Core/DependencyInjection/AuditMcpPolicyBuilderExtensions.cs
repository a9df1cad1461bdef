using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace McpPolicy;

/// <summary>Adds the audit trail to McpPolicy: one record per decision, a span and metrics per call, and an optional keyed, hash-chained JSON Lines file.</summary>
public static class AuditMcpPolicyBuilderExtensions
{
    private static readonly string[] Keys =
    [
        nameof(AuditOptions.Path), nameof(AuditOptions.Key), nameof(AuditOptions.KeyFile), nameof(AuditOptions.Fsync), nameof(AuditOptions.FsyncInterval),
        nameof(AuditOptions.MaxFileBytes), nameof(AuditOptions.CheckpointEvery), nameof(AuditOptions.CheckpointInterval), nameof(AuditOptions.Arguments),
        nameof(AuditOptions.RedactedArgumentNames), nameof(AuditOptions.DenyOnWriteFailure), nameof(AuditOptions.QueueCapacity), nameof(AuditOptions.LogRecords),
    ];

    /// <summary>
    /// Records every tool call: an <see cref="AuditRecord"/> per decision to the logger, to a JSON Lines file when <see cref="AuditOptions.Path"/>
    /// is set, and to every <see cref="IAuditSink"/> added with <see cref="AddAuditSink{TSink}(McpPolicyBuilder)"/>; a span and metrics per call
    /// (<see cref="McpPolicyTelemetry"/>). Options are validated when first used (and at host start-up).
    /// </summary>
    /// <param name="builder">The McpPolicy builder.</param>
    /// <param name="configure">Sets the audit options; the defaults apply when null.</param>
    /// <returns>The builder.</returns>
    public static McpPolicyBuilder AddAudit(this McpPolicyBuilder builder, Action<AuditOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        builder.AddValidatedOptions<AuditOptions, AuditOptionsValidator>(configure);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new AuditTelemetry(sp.GetService<IMeterFactory>()));
        services.TryAddSingleton(sp => new AuditRecordFactory(sp.GetRequiredService<IOptions<AuditOptions>>().Value));
        services.TryAddSingleton(sp => CreateWriter(sp));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IToolInvocationFilter, AuditRecordingFilter>(sp => new AuditRecordingFilter(
            sp.GetRequiredService<AuditWriter>(),
            sp.GetRequiredService<AuditRecordFactory>(),
            sp.GetRequiredService<AuditTelemetry>(),
            sp.GetRequiredService<IOptions<AuditOptions>>().Value,
            sp.GetRequiredService<TimeProvider>())));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IToolInvocationFilter, AuditGateFilter>(sp => new AuditGateFilter(
            sp.GetRequiredService<AuditWriter>(),
            sp.GetRequiredService<AuditRecordFactory>(),
            sp.GetRequiredService<IOptions<AuditOptions>>().Value,
            sp.GetRequiredService<TimeProvider>())));
        return builder;
    }

    /// <summary>
    /// <see cref="AddAudit(McpPolicyBuilder, Action{AuditOptions}?)"/> with options read from a configuration section (such as
    /// <c>configuration.GetSection("McpPolicy:Audit")</c>; keys as the <see cref="AuditOptions"/> properties, any casing; an unknown key
    /// or a value that cannot be read is reported when the options are validated).
    /// </summary>
    /// <param name="builder">The McpPolicy builder.</param>
    /// <param name="section">The section.</param>
    /// <returns>The builder.</returns>
    public static McpPolicyBuilder AddAudit(this McpPolicyBuilder builder, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        return builder.AddAudit(o => Bind(o, section));
    }

    /// <summary>Adds a sink that receives every audit record on the writer's loop (created by DI as a singleton).</summary>
    /// <typeparam name="TSink">The sink type.</typeparam>
    /// <param name="builder">The McpPolicy builder.</param>
    /// <returns>The builder.</returns>
    public static McpPolicyBuilder AddAuditSink<TSink>(this McpPolicyBuilder builder)
        where TSink : class, IAuditSink
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IAuditSink, TSink>());
        return builder;
    }

    /// <summary>Adds a sink instance that receives every audit record on the writer's loop.</summary>
    /// <param name="builder">The McpPolicy builder.</param>
    /// <param name="sink">The sink.</param>
    /// <returns>The builder.</returns>
    public static McpPolicyBuilder AddAuditSink(this McpPolicyBuilder builder, IAuditSink sink)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(sink);
        builder.Services.AddSingleton(sink);
        return builder;
    }

    private static AuditWriter CreateWriter(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<AuditOptions>>().Value;
        var time = services.GetRequiredService<TimeProvider>();
        var sinks = new List<IAuditSink>();
        if (options.Path is not null)
        {
            sinks.Add(new AuditFileSink(options, time, services.GetService<ILogger<AuditFileSink>>()));
        }

        if (options.LogRecords && services.GetService<ILogger<AuditLogSink>>() is { } logger)
        {
            sinks.Add(new AuditLogSink(logger));
        }

        sinks.AddRange(services.GetServices<IAuditSink>());
        return new AuditWriter(sinks, options, time, services.GetService<ILogger<AuditWriter>>(), services.GetRequiredService<AuditTelemetry>());
    }

    internal static void Bind(AuditOptions options, IConfiguration section)
    {
        var errors = options.ConfigurationErrors;
        foreach (var child in section.GetChildren())
        {
            var key = Array.Find(Keys, k => string.Equals(k, child.Key, StringComparison.OrdinalIgnoreCase));
            if (key is null)
            {
                errors.Add($"Audit:{child.Key} is not an audit setting; the settings are {string.Join(", ", Keys)}.");
                continue;
            }

            var value = child.Value;
            if (key == nameof(AuditOptions.RedactedArgumentNames))
            {
                options.RedactedArgumentNames.Clear();
                foreach (var name in child.GetChildren())
                {
                    if (!string.IsNullOrWhiteSpace(name.Value))
                    {
                        options.RedactedArgumentNames.Add(name.Value);
                    }
                }

                continue;
            }

            if (value is null)
            {
                errors.Add($"Audit:{key} must be a single value, not a section.");
                continue;
            }

            switch (key)
            {
                case nameof(AuditOptions.Path): options.Path = value; break;
                case nameof(AuditOptions.Key): options.Key = value; break;
                case nameof(AuditOptions.KeyFile): options.KeyFile = value; break;
                case nameof(AuditOptions.Fsync): options.Fsync = ReadEnum<AuditFsyncPolicy>(key, value, errors); break;
                case nameof(AuditOptions.Arguments): options.Arguments = ReadEnum<AuditArgumentsMode>(key, value, errors); break;
                case nameof(AuditOptions.FsyncInterval): options.FsyncInterval = ReadTime(key, value, errors, options.FsyncInterval); break;
                case nameof(AuditOptions.CheckpointInterval): options.CheckpointInterval = ReadTime(key, value, errors, options.CheckpointInterval); break;
                case nameof(AuditOptions.MaxFileBytes): options.MaxFileBytes = ReadInteger(key, value, errors, options.MaxFileBytes); break;
                case nameof(AuditOptions.CheckpointEvery): options.CheckpointEvery = (int)Math.Min(int.MaxValue, ReadInteger(key, value, errors, options.CheckpointEvery)); break;
                case nameof(AuditOptions.QueueCapacity): options.QueueCapacity = (int)Math.Min(int.MaxValue, ReadInteger(key, value, errors, options.QueueCapacity)); break;
                case nameof(AuditOptions.DenyOnWriteFailure): options.DenyOnWriteFailure = ReadBoolean(key, value, errors, options.DenyOnWriteFailure); break;
                case nameof(AuditOptions.LogRecords): options.LogRecords = ReadBoolean(key, value, errors, options.LogRecords); break;
            }
        }
    }

    private static T ReadEnum<T>(string key, string value, List<string> errors)
        where T : struct, Enum
    {
        if (Enum.TryParse<T>(value, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(value, out _))
        {
            return parsed;
        }

        errors.Add($"Audit:{key} '{value}' is not one of {string.Join(", ", Enum.GetNames<T>())}.");
        return default;
    }

    private static TimeSpan ReadTime(string key, string value, List<string> errors, TimeSpan fallback)
    {
        if (TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var parsed))
        {
            return parsed;
        }

        errors.Add($"Audit:{key} '{value}' is not a time span: write it as hh:mm:ss (for example 00:00:01).");
        return fallback;
    }

    private static long ReadInteger(string key, string value, List<string> errors, long fallback)
    {
        if (long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed))
        {
            return parsed;
        }

        errors.Add($"Audit:{key} '{value}' is not a whole number.");
        return fallback;
    }

    private static bool ReadBoolean(string key, string value, List<string> errors, bool fallback)
    {
        if (bool.TryParse(value, out var parsed))
        {
            return parsed;
        }

        errors.Add($"Audit:{key} '{value}' is not true or false.");
        return fallback;
    }
}
