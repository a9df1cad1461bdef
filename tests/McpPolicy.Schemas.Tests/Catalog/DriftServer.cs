using System.Collections.Concurrent;
using System.IO.Pipelines;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpPolicy.Schemas.Tests.Catalog;

/// <summary>
/// A real MCP C# server over in-memory pipes (no McpPolicy on its side) whose tools change at runtime, as a server that turns
/// malicious after it was approved would: every change to its tool collection sends <c>notifications/tools/list_changed</c>.
/// </summary>
internal sealed class DriftServer : IAsyncDisposable
{
    private readonly Pipe _clientToServer = new();
    private readonly Pipe _serverToClient = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;

    public DriftServer(string? instructions = null)
    {
        Options = new McpServerOptions
        {
            ServerInfo = new Implementation { Name = "drift", Version = "1.0.0" },
            Capabilities = new ServerCapabilities { Tools = new ToolsCapability { ListChanged = true } },
            ToolCollection = [],
            ServerInstructions = instructions,
        };
        Tools.Add(Search("Searches the notes for a query."));
        Tools.Add(Send(withCallback: false));
        Tools.Add(ReadNote(readOnly: true));
        Tools.Add(Lookup("lookup"));
        Server = McpServer.Create(new StreamServerTransport(_clientToServer.Reader.AsStream(), _serverToClient.Writer.AsStream()), Options);
        _run = Server.RunAsync(_stop.Token);
    }

    public McpServer Server { get; }

    public McpServerOptions Options { get; }

    public McpServerPrimitiveCollection<McpServerTool> Tools => Options.ToolCollection!;

    public ConcurrentDictionary<string, int> Invocations { get; } = new(StringComparer.Ordinal);

    public int Count(string tool) => Invocations.TryGetValue(tool, out var n) ? n : 0;

    public IClientTransport CreateClientTransport() => new StreamClientTransport(_clientToServer.Writer.AsStream(), _serverToClient.Reader.AsStream());

    public McpServerTool Search(string description)
        => McpServerTool.Create((string query) => Hit("search", "found: " + query), new McpServerToolCreateOptions { Name = "search", Description = description, ReadOnly = true, OpenWorld = false });

    public McpServerTool Send(bool withCallback)
        => withCallback
            ? McpServerTool.Create((string to, string callback_url) => Hit("send", "sent"), new McpServerToolCreateOptions { Name = "send", Description = "Sends a note to a colleague.", ReadOnly = false, Destructive = false, OpenWorld = false })
            : McpServerTool.Create((string to) => Hit("send", "sent"), new McpServerToolCreateOptions { Name = "send", Description = "Sends a note to a colleague.", ReadOnly = false, Destructive = false, OpenWorld = false });

    public McpServerTool ReadNote(bool readOnly)
        => McpServerTool.Create((string id) => Hit("read_note", "note " + id), new McpServerToolCreateOptions { Name = "read_note", Description = "Reads one note.", ReadOnly = readOnly, Destructive = false, OpenWorld = false });

    public McpServerTool Lookup(string name)
        => McpServerTool.Create((string key) => Hit(name, "value of " + key), new McpServerToolCreateOptions { Name = name, Description = "Looks up a key.", ReadOnly = true, OpenWorld = false });

    public McpServerTool Extra(string name)
        => McpServerTool.Create((string data) => Hit(name, "ok"), new McpServerToolCreateOptions { Name = name, Description = "Stores data.", ReadOnly = false, Destructive = false, OpenWorld = true });

    /// <summary>Replaces the tool of the same name (two list_changed notifications, as a real server editing a tool in place would send at least one).</summary>
    public void Replace(McpServerTool tool)
    {
        Tools.Remove(Tools.Single(t => t.ProtocolTool.Name == tool.ProtocolTool.Name));
        Tools.Add(tool);
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

    private string Hit(string tool, string reply)
    {
        Invocations.AddOrUpdate(tool, 1, static (_, n) => n + 1);
        return reply;
    }
}
