using System.IO.Pipelines;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpPolicy.Schemas.Tests.Constraints;

/// <summary>A real MCP server with WithPolicy and AddArgumentConstraints, and a real client, joined by in-memory pipes.</summary>
public sealed class ConstraintAttributeServerTests : IAsyncLifetime, IDisposable
{
    private readonly Pipe _clientToServer = new();
    private readonly Pipe _serverToClient = new();
    private readonly CancellationTokenSource _stop = new();
    private ServiceProvider? _services;
    private McpServer? _server;
    private Task? _run;
    private McpClient? _client;

    private McpClient Client => _client!;

    public async Task InitializeAsync()
    {
        var services = new ServiceCollection();
        services.AddMcpPolicy().AddArgumentConstraints();
        services.AddMcpServer(o => o.ServerInfo = new() { Name = "constraints-test", Version = "1.0.0" })
            .WithStreamServerTransport(_clientToServer.Reader.AsStream(), _serverToClient.Writer.AsStream())
            .WithTools<ConstrainedTools>()
            .WithPolicy();
        _services = services.BuildServiceProvider();
        _server = _services.GetRequiredService<McpServer>();
        _run = _server.RunAsync(_stop.Token);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        _client = await McpClient.CreateAsync(
            new StreamClientTransport(_clientToServer.Writer.AsStream(), _serverToClient.Reader.AsStream()),
            new McpClientOptions { ClientInfo = new() { Name = "constraints-test-client", Version = "1.0.0" } },
            cancellationToken: timeout.Token);
    }

    public async Task DisposeAsync()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync();
        }

        await _stop.CancelAsync();
        try
        {
            await _run!.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (OperationCanceledException)
        {
        }

        await _server!.DisposeAsync();
        await _services!.DisposeAsync();
    }

    public void Dispose() => _stop.Dispose();

    private static readonly string[] GoodUrls = ["https://a.example.com/", "wss://b.example.com/"];

    private static readonly string[] OneLocalUrl = ["https://a.example.com/", "https://localhost/"];

    private async Task<CallToolResult> CallAsync(string tool, string name, object value)
        => await Client.CallToolAsync(tool, new Dictionary<string, object?> { [name] = value });

    private static string Text(CallToolResult result) => Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text;

    [Fact]
    public async Task Allowed_url_reaches_the_tool()
        => Assert.Equal("fetched https://www.example.com/", Text(await CallAsync("fetch", "url", "https://www.example.com/")));

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("https://www.example.com@evil.com/")]
    [InlineData("https://[::ffff:127.0.0.1]/")]
    [InlineData("https://evil.com/")]
    public async Task Violating_url_is_denied_naming_argument_and_attribute(string url)
    {
        var result = await CallAsync("fetch", "url", url);

        Assert.True(result.IsError);
        Assert.StartsWith("Denied by policy (rule 'attribute:AllowedHosts'): argument 'url' is outside what [AllowedHosts] allows (must be a URL with scheme https, host *.example.com or api.github.com", Text(result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Class_attribute_applies_to_tools_without_their_own()
    {
        Assert.Equal("fetched https://only.example.net/", Text(await CallAsync("fetch_class", "url", "https://only.example.net/")));
        Assert.True((await CallAsync("fetch_class", "url", "https://www.example.com/")).IsError);
    }

    [Fact]
    public async Task Method_attribute_replaces_the_class_attribute()
        => Assert.True((await CallAsync("fetch", "url", "https://only.example.net/")).IsError);

    [Fact]
    public async Task Every_url_of_an_array_argument_is_checked()
    {
        Assert.Equal("fetched 2", Text(await CallAsync("fetch_many", "urls", GoodUrls)));
        Assert.True((await CallAsync("fetch_many", "urls", OneLocalUrl)).IsError);
    }

    [Theory]
    [InlineData("/nonexistent-mcppolicy-tests/data/report.txt", false)]
    [InlineData("/nonexistent-mcppolicy-tests/data/../secret.txt", true)]
    [InlineData("/nonexistent-mcppolicy-tests/data/id.key", true)]
    [InlineData("/nonexistent-mcppolicy-tests/data/x\u0000.txt", true)]
    public async Task Path_attribute_is_enforced(string path, bool denied)
        => Assert.Equal(denied, (await CallAsync("read", "path", path)).IsError ?? false);

    [Theory]
    [InlineData("git status", false)]
    [InlineData("git status; id", true)]
    [InlineData("git -xc x", true)]
    [InlineData("rm -rf /", true)]
    public async Task Command_attribute_is_enforced(string command, bool denied)
        => Assert.Equal(denied, (await CallAsync("run", "command", command)).IsError ?? false);

    [Fact]
    public async Task Url_arguments_are_published_with_format_uri_and_a_scheme_pattern()
    {
        var tools = await Client.ListToolsAsync();
        var fetch = tools.Single(t => t.Name == "fetch").ProtocolTool.InputSchema.GetProperty("properties").GetProperty("url");
        var many = tools.Single(t => t.Name == "fetch_many").ProtocolTool.InputSchema.GetProperty("properties").GetProperty("urls").GetProperty("items");
        var read = tools.Single(t => t.Name == "read").ProtocolTool.InputSchema.GetProperty("properties").GetProperty("path");

        Assert.Equal("uri", fetch.GetProperty("format").GetString());
        Assert.Equal("^(?:[Hh][Tt][Tt][Pp][Ss])://", fetch.GetProperty("pattern").GetString());
        Assert.Equal("The URL.", fetch.GetProperty("description").GetString());
        Assert.Equal("^(?:[Hh][Tt][Tt][Pp][Ss]|[Ww][Ss][Ss])://", many.GetProperty("pattern").GetString());
        Assert.False(read.TryGetProperty("format", out _));
    }
}
