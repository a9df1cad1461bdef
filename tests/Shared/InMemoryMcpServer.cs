using System.Collections.Concurrent;
using System.IO.Pipelines;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpPolicy.Tests.TestSupport;

/// <summary>
/// A real MCP C# server over in-memory pipes, with no McpPolicy on its side: whatever it refuses to run, the host side refused.
/// Counts every tool invocation and every tools/list it answers. Shared by the test projects (linked from tests/Shared).
/// </summary>
internal sealed class InMemoryMcpServer : IAsyncDisposable
{
    private readonly Pipe _clientToServer = new();
    private readonly Pipe _serverToClient = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;
    private int _listRequests;

    /// <param name="configure">Changes the options (tools, instructions) before the server starts.</param>
    /// <param name="reportedName">The name the server reports for itself.</param>
    /// <param name="extraTools">Names of more <see cref="CountingTool"/>s to serve.</param>
    /// <param name="defaultTools">Whether to serve the default tools (echo, delete_all, secret_key, wire, fail, slow).</param>
    public InMemoryMcpServer(Action<McpServerOptions>? configure = null, string reportedName = "demo", IEnumerable<string>? extraTools = null, bool defaultTools = true)
    {
        Options = new McpServerOptions
        {
            ServerInfo = new Implementation { Name = reportedName, Version = "1.0.0" },
            Capabilities = new ServerCapabilities { Tools = new ToolsCapability { ListChanged = true } },
            ToolCollection = [],
        };
        foreach (var tool in defaultTools ? DefaultTools() : [])
        {
            Options.ToolCollection.Add(tool);
        }

        foreach (var name in extraTools ?? [])
        {
            Options.ToolCollection.Add(CountingTool(name));
        }

        Options.Filters.Request.ListToolsFilters.Add(next => (context, cancellationToken) =>
        {
            Interlocked.Increment(ref _listRequests);
            return next(context, cancellationToken);
        });
        configure?.Invoke(Options);
        Server = McpServer.Create(new StreamServerTransport(_clientToServer.Reader.AsStream(), _serverToClient.Writer.AsStream()), Options);
        _run = Server.RunAsync(_stop.Token);
    }

    public McpServer Server { get; }

    public McpServerOptions Options { get; }

    public McpServerPrimitiveCollection<McpServerTool> Tools => Options.ToolCollection!;

    public ConcurrentDictionary<string, int> Invocations { get; } = new(StringComparer.Ordinal);

    public int ListRequests => Volatile.Read(ref _listRequests);

    /// <summary>Signalled when the "slow" tool starts running.</summary>
    public TaskCompletionSource SlowStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Signalled when the "slow" tool sees its cancellation.</summary>
    public TaskCompletionSource SlowCancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Count(string tool) => Invocations.TryGetValue(tool, out var n) ? n : 0;

    /// <summary>A transport that reaches this server (the host wraps it).</summary>
    public IClientTransport CreateClientTransport()
        => new StreamClientTransport(_clientToServer.Writer.AsStream(), _serverToClient.Reader.AsStream());

    /// <summary>A tool that counts its invocations and returns <paramref name="reply"/>.</summary>
    public McpServerTool CountingTool(string name, string reply = "ok", bool readOnly = true)
        => McpServerTool.Create(() => Hit(name, reply), new McpServerToolCreateOptions { Name = name, ReadOnly = readOnly, OpenWorld = false });

    /// <summary>Cuts the connection from the server side.</summary>
    public async Task CloseConnectionAsync()
    {
        await _serverToClient.Writer.CompleteAsync();
        await _clientToServer.Reader.CompleteAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _clientToServer.Writer.CompleteAsync();
        await _serverToClient.Writer.CompleteAsync();
        try
        {
            await _run;
        }
        catch (OperationCanceledException)
        {
        }

        await Server.DisposeAsync();
        _stop.Dispose();
    }

    /// <summary>Counts an invocation of <paramref name="tool"/> and returns <paramref name="reply"/> (for tools added from outside).</summary>
    public string Hit(string tool, string reply)
    {
        Invocations.AddOrUpdate(tool, 1, static (_, n) => n + 1);
        return reply;
    }

    private IEnumerable<McpServerTool> DefaultTools()
    {
        yield return McpServerTool.Create(
            (string text) => Hit("echo", text),
            new McpServerToolCreateOptions { Name = "echo", Description = "Returns the text.", ReadOnly = true, OpenWorld = false });
        yield return CountingTool("delete_all", "deleted everything", readOnly: false);
        yield return CountingTool("secret_key", "s3cr3t");
        yield return CountingTool("wire");
        yield return McpServerTool.Create(
            string () =>
            {
                Hit("fail", "");
                throw new McpProtocolException("the server refuses this call", McpErrorCode.InvalidParams);
            },
            new McpServerToolCreateOptions { Name = "fail", ReadOnly = true, OpenWorld = false });
        yield return McpServerTool.Create(
            async (CancellationToken cancellationToken) =>
            {
                Hit("slow", "");
                SlowStarted.TrySetResult();
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    SlowCancelled.TrySetResult();
                    throw;
                }

                return "done";
            },
            new McpServerToolCreateOptions { Name = "slow", ReadOnly = true, OpenWorld = false });
    }
}
