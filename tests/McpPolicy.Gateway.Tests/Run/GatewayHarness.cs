using System.Collections.Concurrent;
using System.IO.Pipelines;
using McpPolicy.Gateway.Run;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpPolicy.Gateway.Tests.Run;

/// <summary>
/// A real C# MCP server (the child) behind the real gateway (<see cref="GatewayProxy"/> with the full pipeline from a policy file), reached by
/// a real C# MCP client (the upstream), all over in-memory pipes. The child counts every tool invocation so a test can prove a denied call
/// never reached it.
/// </summary>
internal sealed class GatewayHarness : IAsyncDisposable
{
    public const string ServerId = "child";

    public const string Policy = """
        {
          "version": 1,
          "defaults": { "risk": "Low" },
          "servers": { "child": { "trusted": true } },
          "tools": [
            { "match": "child/delete_all", "risk": "Block", "reason": "deleting is not allowed here" },
            { "match": "child/write_note", "risk": "High" },
            { "match": "child/read_file", "risk": "Low",
              "arguments": { "path": { "path": { "allow": ["/srv/public/**"] } } } }
          ]
        }
        """;

    private readonly Pipe _upIn = new();
    private readonly Pipe _upOut = new();
    private readonly Pipe _childIn = new();
    private readonly Pipe _childOut = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _childRun;
    private readonly ServiceProvider _services;
    private readonly string _directory;
    private bool _childStopped;

    private GatewayHarness(GatewaySettings settings, string directory, string? childProtocol)
    {
        _directory = directory;
        Settings = settings;
        Options = new McpServerOptions
        {
            ServerInfo = new Implementation { Name = "child", Version = "1.2.3" },
            ServerInstructions = "Child instructions.",
            Capabilities = new ServerCapabilities { Tools = new ToolsCapability { ListChanged = true } },
            ToolCollection = [Echo(), WriteNote(), DeleteAll(), ReadFile(), Fail(), Hang()],
            PromptCollection = [McpServerPrompt.Create((string topic) => $"Tell me about {topic}.", new McpServerPromptCreateOptions { Name = "about" })],
            ResourceCollection = [McpServerResource.Create(() => "hello from a resource", new McpServerResourceCreateOptions { UriTemplate = "test://greeting", Name = "greeting", MimeType = "text/plain" })],
        };
        if (childProtocol is not null)
        {
            Options.ProtocolVersion = childProtocol;
        }

        Child = McpServer.Create(new StreamServerTransport(_childIn.Reader.AsStream(), _childOut.Writer.AsStream()), Options);
        _childRun = Child.RunAsync(_stop.Token);
        Logs = new SynchronizedLog();
        _services = GatewayServices.Build(settings, new StandardErrorLoggerProvider(Logs, LogLevel.Information));
        Proxy = GatewayProxy.Create(settings, _services);
        Gateway = Proxy.RunAsync(
            new LineClientTransport(_childOut.Reader.AsStream(), _childIn.Writer.AsStream()),
            new LineTransport(_upIn.Reader.AsStream(), _upOut.Writer.AsStream(), new LineTransportOptions { Name = "upstream", ReplyToUnreadable = true, SynchronousWrites = true, OwnsStreams = true }, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance),
            _stop.Token);
    }

    public GatewaySettings Settings { get; }

    public McpServerOptions Options { get; }

    public McpServer Child { get; }

    /// <summary>The gateway under test.</summary>
    public GatewayProxy Proxy { get; }

    /// <summary>The gateway's run; completes with its exit code.</summary>
    public Task<int> Gateway { get; }

    /// <summary>What the gateway logged (its standard error).</summary>
    public SynchronizedLog Logs { get; }

    public McpClient Upstream { get; private set; } = null!;

    public ConcurrentDictionary<string, int> Invocations { get; } = new(StringComparer.Ordinal);

    public TaskCompletionSource HangStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completed when the child's <c>hang</c> tool sees its call cancelled.</summary>
    public TaskCompletionSource HangCancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Count(string tool) => Invocations.TryGetValue(tool, out var n) ? n : 0;

    /// <summary>Starts child and gateway and connects the upstream client.</summary>
    /// <param name="upstreamProtocol">The revision the upstream client asks for; null for the SDK default (2026-07-28).</param>
    /// <param name="childProtocol">The revision the child server speaks; null for the SDK default.</param>
    /// <param name="elicitation">The upstream client's elicitation handler; null declares no elicitation support.</param>
    /// <param name="configure">Changes the gateway settings.</param>
    /// <param name="policy">The policy file's text; <see cref="Policy"/> by default.</param>
    public static async Task<GatewayHarness> StartAsync(
        string? upstreamProtocol = null,
        string? childProtocol = null,
        Func<ElicitRequestParams?, CancellationToken, ValueTask<ElicitResult>>? elicitation = null,
        Func<GatewaySettings, GatewaySettings>? configure = null,
        string? policy = null)
    {
        var directory = Directory.CreateTempSubdirectory("mcp-policy-gateway-").FullName;
        var policyPath = Path.Combine(directory, "policy.json");
        await File.WriteAllTextAsync(policyPath, policy ?? Policy);
        var settings = new GatewaySettings
        {
            PolicyPath = policyPath,
            ServerId = ServerId,
            Command = "in-memory-child",
            RequestTimeout = TimeSpan.FromSeconds(30),
            StartupTimeout = TimeSpan.FromSeconds(30),
        };
        settings = configure?.Invoke(settings) ?? settings;
        var harness = new GatewayHarness(settings, directory, childProtocol);
        harness.Upstream = await harness.ConnectAsync(upstreamProtocol, elicitation);
        return harness;
    }

    public string PathIn(string name) => Path.Combine(_directory, name);

    /// <summary>Ends the child server as a crash would: its output closes.</summary>
    public async Task StopChildAsync()
    {
        _childStopped = true;
        await _childOut.Writer.CompleteAsync();
        await _childIn.Reader.CompleteAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Upstream.DisposeAsync();
        await _upIn.Writer.CompleteAsync();
        using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
        {
            try
            {
                await Gateway.WaitAsync(wait.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
            {
            }
        }

        await _stop.CancelAsync();
        if (!_childStopped)
        {
            await _childOut.Writer.CompleteAsync();
        }

        try
        {
            await _childRun;
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
        {
        }

        await Child.DisposeAsync();
        await _services.DisposeAsync();
        _stop.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task<McpClient> ConnectAsync(string? protocol, Func<ElicitRequestParams?, CancellationToken, ValueTask<ElicitResult>>? elicitation)
    {
        var options = new McpClientOptions { ClientInfo = new Implementation { Name = "upstream", Version = "1.0.0" } };
        if (protocol is not null)
        {
            options.ProtocolVersion = protocol;
        }

        if (elicitation is not null)
        {
            options.Handlers = new McpClientHandlers { ElicitationHandler = elicitation };
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await McpClient.CreateAsync(new StreamClientTransport(_upIn.Writer.AsStream(), _upOut.Reader.AsStream()), options, cancellationToken: timeout.Token);
    }

    private McpServerTool Echo()
        => McpServerTool.Create((string message) => Hit("echo", "echo: " + message), new McpServerToolCreateOptions { Name = "echo", Description = "Echoes a message.", ReadOnly = true, OpenWorld = false });

    private McpServerTool WriteNote()
        => McpServerTool.Create((string text) => Hit("write_note", "saved: " + text), new McpServerToolCreateOptions { Name = "write_note", Description = "Saves a note.", ReadOnly = false, Destructive = false, OpenWorld = false });

    private McpServerTool DeleteAll()
        => McpServerTool.Create(() => Hit("delete_all", "deleted"), new McpServerToolCreateOptions { Name = "delete_all", Description = "Deletes everything.", Destructive = true, OpenWorld = false });

    private McpServerTool ReadFile()
        => McpServerTool.Create((string path) => Hit("read_file", "content of " + path), new McpServerToolCreateOptions { Name = "read_file", Description = "Reads a file.", ReadOnly = true, OpenWorld = false });

    private McpServerTool Fail()
        => McpServerTool.Create(
            string () =>
            {
                Hit("fail", string.Empty);
                throw new McpProtocolException("the disk is on fire", McpErrorCode.InvalidParams);
            },
            new McpServerToolCreateOptions { Name = "fail", Description = "Always fails.", ReadOnly = true, OpenWorld = false });

    private McpServerTool Hang()
        => McpServerTool.Create(
            async (CancellationToken cancellationToken) =>
            {
                Hit("hang", string.Empty);
                HangStarted.TrySetResult();
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    HangCancelled.TrySetResult();
                    throw;
                }

                return "never";
            },
            new McpServerToolCreateOptions { Name = "hang", Description = "Never answers.", ReadOnly = true, OpenWorld = false });

    public McpServerTool Extra(string name)
        => McpServerTool.Create(() => Hit(name, "extra"), new McpServerToolCreateOptions { Name = name, Description = "An added tool.", ReadOnly = true, OpenWorld = false });

    private string Hit(string tool, string reply)
    {
        Invocations.AddOrUpdate(tool, 1, static (_, n) => n + 1);
        return reply;
    }
}

/// <summary>A thread-safe text log standing in for the gateway's standard error.</summary>
internal sealed class SynchronizedLog : StringWriter
{
    private readonly Lock _gate = new();

    public override void WriteLine(string? value)
    {
        lock (_gate)
        {
            base.WriteLine(value);
        }
    }

    public override string ToString()
    {
        lock (_gate)
        {
            return base.ToString();
        }
    }
}

/// <summary>The gateway's own line transport (as <c>mcp-policy run</c> uses for its child) over in-memory pipes to a child.</summary>
internal sealed class LineClientTransport(Stream input, Stream output) : IClientTransport
{
    public string Name => GatewayHarness.ServerId;

    public Task<ITransport> ConnectAsync(CancellationToken cancellationToken = default)
        => Task.FromResult<ITransport>(new LineTransport(input, output, new LineTransportOptions { Name = "server " + Name }, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance));
}
