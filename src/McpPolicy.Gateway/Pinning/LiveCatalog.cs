using McpPolicy.Gateway.Run;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Gateway.Pinning;

/// <summary>What a server lists now: every tool (all pages), its instructions, prompts and resources. Read by <c>pin</c> and <c>diff</c>.</summary>
internal sealed class LiveCatalog
{
    public required string ServerId { get; init; }

    public required IReadOnlyList<Tool> Tools { get; init; }

    public string? Instructions { get; init; }

    public IReadOnlyList<Prompt>? Prompts { get; init; }

    public IReadOnlyList<Resource>? Resources { get; init; }

    /// <summary>Starts the server, lists everything and stops it.</summary>
    /// <exception cref="ChildFailedException">The server did not start or could not be listed; the message says why.</exception>
    public static async Task<LiveCatalog> ReadAsync(string serverId, IClientTransport transport, TimeSpan timeout, ILoggerFactory? loggerFactory, string? protocolVersion, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var options = new McpClientOptions
        {
            ClientInfo = new Implementation { Name = "mcp-policy-pin", Version = GatewayVersion.Value },
            InitializationTimeout = timeout,
        };
        if (protocolVersion is not null)
        {
            options.ProtocolVersion = protocolVersion;
        }

        McpClient client;
        try
        {
            client = await McpClient.CreateAsync(transport, options, loggerFactory, deadline.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw new ChildFailedException($"the server did not start: {ex.Message}", ex);
        }

        await using (client.ConfigureAwait(false))
        {
            try
            {
                var caps = client.ServerCapabilities;
                var tools = caps?.Tools is null ? [] : (await client.ListToolsAsync(cancellationToken: deadline.Token).ConfigureAwait(false)).Select(t => t.ProtocolTool).ToList();
                var prompts = caps?.Prompts is null ? null : (await client.ListPromptsAsync(cancellationToken: deadline.Token).ConfigureAwait(false)).Select(p => p.ProtocolPrompt).ToList();
                var resources = caps?.Resources is null ? null : (await client.ListResourcesAsync(cancellationToken: deadline.Token).ConfigureAwait(false)).Select(r => r.ProtocolResource).ToList();
                return new LiveCatalog { ServerId = serverId, Tools = tools, Instructions = client.ServerInstructions, Prompts = prompts, Resources = resources };
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                throw new ChildFailedException($"listing the server's catalog failed: {ex.Message}", ex);
            }
        }
    }
}

/// <summary>The child server failed (did not start, ended, broke the protocol); the command exits with <see cref="GatewayExitCodes.ChildFailed"/>.</summary>
internal sealed class ChildFailedException : Exception
{
    public ChildFailedException()
    {
    }

    public ChildFailedException(string message)
        : base(message)
    {
    }

    public ChildFailedException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
