using System.CommandLine;

namespace McpPolicy.Gateway.Run;

/// <summary>The options every command that starts a child MCP server shares: its server id, the command after <c>--</c>, start-up timeout and protocol.</summary>
internal sealed class ChildOptions
{
    public Option<string> ServerId { get; } = new("--server-id")
    {
        Description = "The server id the policy and the lock file use for this server (policy patterns match 'ID/tool'); no '/'.",
        DefaultValueFactory = _ => "server",
    };

    public Option<double> StartupTimeout { get; } = new("--startup-timeout")
    {
        Description = "Seconds the child may take to start and complete the MCP handshake.",
        DefaultValueFactory = _ => 30,
    };

    public Option<string> ProtocolVersion { get; } = new("--child-protocol")
    {
        Description = "The MCP protocol revision to offer the child (2026-07-28 or 2025-11-25); by default the newest the child accepts.",
    };

    public Argument<string[]> ChildCommand { get; } = new("COMMAND")
    {
        Description = "The child MCP server to start, after '--': the program and its arguments (for example: -- npx @modelcontextprotocol/server-filesystem /srv/data).",
        Arity = ArgumentArity.OneOrMore,
    };

    public string ReadServerId(ParseResult parse)
    {
        var id = parse.GetValue(ServerId) ?? "server";
        if (id.Length == 0 || id.Contains('/', StringComparison.Ordinal))
        {
            throw new UsageException($"--server-id '{id}' is not valid: give a non-empty id without '/' (policy patterns match 'ID/tool').");
        }

        return id;
    }

    public TimeSpan ReadStartupTimeout(ParseResult parse)
    {
        var seconds = parse.GetValue(StartupTimeout);
        return seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : throw new UsageException("--startup-timeout must be a positive number of seconds.");
    }

    public (string Program, string[] Arguments) ReadCommand(ParseResult parse)
    {
        var words = parse.GetValue(ChildCommand);
        if (words is null || words.Length == 0 || string.IsNullOrWhiteSpace(words[0]))
        {
            throw new UsageException("give the MCP server to start after '--', for example: -- npx @modelcontextprotocol/server-everything");
        }

        return (words[0], words[1..]);
    }
}
