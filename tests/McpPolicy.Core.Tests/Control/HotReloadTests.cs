using System.Diagnostics.Metrics;
using McpPolicy.Control;
using McpPolicy.Core.Tests.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Core.Tests.Control;

/// <summary>Hot reload through DI with a real policy file and a real reloading IConfiguration (JSON file with reloadOnChange).</summary>
public sealed class HotReloadTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private const string LowPolicy = """{ "defaults": { "risk": "Low" } }""";
    private const string BlockFs = """{ "defaults": { "risk": "Low" }, "tools": [ { "match": "fs/*", "risk": "Block", "reason": "fs is closed" } ] }""";

    private readonly string _dir = Directory.CreateTempSubdirectory("mcppolicy-reload-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Policy_file_change_is_compiled_and_swapped_in()
    {
        var path = Write("policy.json", LowPolicy);
        await using var host = Host.Start(s => s.AddMcpPolicy(path));
        ControlAssert.Ran(await host.CallAsync("fs/read"));

        var version = host.Evaluator.PolicyVersion;
        Write("policy.json", BlockFs);
        await Host.WaitForAsync(() => host.Evaluator.PolicyVersion != version);

        Assert.Equal("tools[0]", ControlAssert.RuleId(await host.CallAsync("fs/read")));
        Assert.Equal(1, host.Applied);
        Assert.Equal(0, host.Rejected);
    }

    [Theory]
    [InlineData("{ \"tools\": [ ")]
    [InlineData("""{ "tools": [ { "match": "fs/*", "risk": "Whatever" } ] }""")]
    [InlineData("""{ "limits": { "perTool": { "*/*": { "perMinute": 0 } } } }""")]
    [InlineData("""{ "killSwitch": [ "server:" ] }""")]
    [InlineData("""{ "defaults": { "risk": "Low" }, "rules": [ { "id": "r", "risk": "High", "when": { "x": { "pattern": "(" } } } ] }""")]
    public async Task Broken_policy_file_keeps_the_previous_behaviour_logs_an_error_and_counts_a_rejected_reload(string broken)
    {
        var path = Write("policy.json", BlockFs);
        await using var host = Host.Start(s => s.AddMcpPolicy(path));
        var version = host.Evaluator.PolicyVersion;

        Write("policy.json", broken);
        await Host.WaitForAsync(() => host.Rejected >= 1);

        Assert.Equal(version, host.Evaluator.PolicyVersion);
        Assert.Equal("tools[0]", ControlAssert.RuleId(await host.CallAsync("fs/read")));
        ControlAssert.Ran(await host.CallAsync("web/fetch"));
        var error = Assert.Single(host.Logs.Entries, e => e.Level == LogLevel.Error);
        Assert.Contains("rejected", error.Message, StringComparison.Ordinal);
        Assert.Contains(version, error.Message, StringComparison.Ordinal);

        // A good file afterwards is applied as usual.
        Write("policy.json", LowPolicy);
        await Host.WaitForAsync(() => host.Evaluator.PolicyVersion != version);
        ControlAssert.Ran(await host.CallAsync("fs/read"));
    }

    [Fact]
    public async Task Policy_file_registered_without_reload_is_not_watched()
    {
        var path = Write("policy.json", LowPolicy);
        await using var host = Host.Start(s => s.AddMcpPolicy().AddPolicyFile(path, reloadOnChange: false));

        Assert.Empty(host.Services.GetServices<Microsoft.Extensions.Options.IOptionsChangeTokenSource<McpPolicyOptions>>());
        ControlAssert.Ran(await host.CallAsync("fs/read"));
    }

    [Fact]
    public async Task Configuration_reload_swaps_policy_limits_and_kill_switch_and_a_broken_change_keeps_them()
    {
        var path = Write("appsettings.json", """{ "McpPolicy": { "defaults": { "risk": "Low" } } }""");
        var configuration = new ConfigurationBuilder().AddJsonFile(path, optional: false, reloadOnChange: true).Build();
        await using var host = Host.Start(s => s.AddMcpPolicy(configuration.GetSection("McpPolicy")));
        ControlAssert.Ran(await host.CallAsync("shell/run"));

        Write("appsettings.json", """
            { "McpPolicy": { "defaults": { "risk": "Low" }, "killSwitch": [ { "scope": "server:shell", "reason": "maintenance" } ],
                             "limits": { "perTool": { "web/*": { "perMinute": 1 } } } } }
            """);
        await Host.WaitForAsync(() => host.Applied >= 1);

        Assert.Equal("killswitch:server:shell", ControlAssert.RuleId(await host.CallAsync("shell/run")));
        ControlAssert.Ran(await host.CallAsync("web/fetch"));
        Assert.Equal("limits.perTool[web/*].perMinute", ControlAssert.RuleId(await host.CallAsync("web/fetch")));

        Write("appsettings.json", """{ "McpPolicy": { "defaults": { "risk": "Loww" } } }""");
        await Host.WaitForAsync(() => host.Rejected >= 1);

        Assert.Equal("killswitch:server:shell", ControlAssert.RuleId(await host.CallAsync("shell/run")));
        Assert.Equal("limits.perTool[web/*].perMinute", ControlAssert.RuleId(await host.CallAsync("web/fetch")));

        Write("appsettings.json", """{ "McpPolicy": { "defaults": { "risk": "Low" } } }""");
        await Host.WaitForAsync(() => host.Applied >= 2);
        ControlAssert.Ran(await host.CallAsync("shell/run"));
    }

    [Fact]
    public async Task In_memory_configuration_reload_applies_at_once()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["McpPolicy:defaults:risk"] = "Low" }).Build();
        await using var host = Host.Start(s => s.AddMcpPolicy(configuration.GetSection("McpPolicy")));
        ControlAssert.Ran(await host.CallAsync("fs/read"));

        configuration["McpPolicy:killSwitch:0"] = "all";
        configuration.Reload();

        Assert.Equal("killswitch:all", ControlAssert.RuleId(await host.CallAsync("fs/read")));
        Assert.Equal(1, host.Applied);
    }

    [Fact]
    public async Task Configured_kill_switch_entries_are_refused_when_the_kill_switch_was_replaced()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["McpPolicy:defaults:risk"] = "Low" }).Build();
        await using var host = Host.Start(s =>
        {
            s.AddSingleton<IKillSwitch>(new ForeignKillSwitch());
            s.AddMcpPolicy(configuration.GetSection("McpPolicy"));
        });

        configuration["McpPolicy:killSwitch:0"] = "all";
        configuration.Reload();

        Assert.Equal(1, host.Rejected);
        Assert.Contains(host.Logs.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("IKillSwitchStore", StringComparison.Ordinal));

        var services = new ServiceCollection();
        services.AddSingleton<IKillSwitch>(new ForeignKillSwitch());
        services.AddMcpPolicy(o => o.KillSwitch.Add(new KillSwitchEntry(KillSwitchScope.All)));
        using var provider = services.BuildServiceProvider();
        Assert.Contains("IKillSwitchStore", Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<ToolInvocationPipeline>()).Message, StringComparison.Ordinal);
    }

    private sealed class ForeignKillSwitch : IKillSwitch
    {
        public IReadOnlyList<KillSwitchEntry> Entries => [];

        public void Disable(KillSwitchScope scope, string? reason = null)
        {
        }

        public bool Enable(KillSwitchScope scope) => false;

        public KillSwitchEntry? Find(string serverId, string toolName) => null;
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>A DI container with McpPolicy, a log capture and a listener on the reload counter of this container's meters.</summary>
    private sealed class Host : IAsyncDisposable
    {
        private readonly ServiceProvider _services;
        private readonly MeterListener _listener = new();
        private int _applied;
        private int _rejected;

        private Host(Action<IServiceCollection> configure)
        {
            var services = new ServiceCollection();
            services.AddMetrics();
            services.AddLogging(b => b.AddProvider(Logs));
            configure(services);
            _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
            var meters = _services.GetRequiredService<IMeterFactory>();
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, meters) && instrument.Name == PolicyReloader.ReloadCounterName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "outcome")
                    {
                        Interlocked.Add(ref tag.Value as string == "applied" ? ref _applied : ref _rejected, (int)value);
                    }
                }
            });
            _listener.Start();
            Pipeline = _services.GetRequiredService<ToolInvocationPipeline>();
            Evaluator = (PolicyEvaluator)_services.GetRequiredService<IPolicyEvaluator>();
        }

        public CapturingLoggerProvider Logs { get; } = new();

        public IServiceProvider Services => _services;

        public ToolInvocationPipeline Pipeline { get; }

        public PolicyEvaluator Evaluator { get; }

        public int Applied => Volatile.Read(ref _applied);

        public int Rejected => Volatile.Read(ref _rejected);

        public static Host Start(Action<IServiceCollection> configure) => new(configure);

        public ValueTask<CallToolResult> CallAsync(string qualifiedName)
        {
            var known = Calls.Known(qualifiedName);
            return Pipeline.InvokeAsync(new ToolInvocationContext(known.ServerId, known.ToolName, known.Arguments, known.Tool)
            {
                Invoker = static (_, _) => new ValueTask<CallToolResult>(ControlHarness.Ran()),
            });
        }

        /// <summary>Waits (bounded) for a reload to land; the file watcher reports changes asynchronously.</summary>
        public static async Task WaitForAsync(Func<bool> condition)
        {
            using var cts = new CancellationTokenSource(Patience);
            while (!condition())
            {
                await Task.Delay(20, cts.Token);
            }
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Dispose();
            await _services.DisposeAsync();
        }
    }
}

/// <summary>Keeps every log entry of every category.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ListLogger<object> _logger = new();

    public IReadOnlyList<(LogLevel Level, string Message, Exception? Exception)> Entries => _logger.Entries;

    public ILogger CreateLogger(string categoryName) => _logger;

    public void Dispose()
    {
    }
}
