using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace McpPolicy.Gateway.Run;

/// <summary>
/// <c>mcp-policy run --policy FILE [--server-id ID] [--lock FILE] [--audit FILE --audit-key-file KEY] -- COMMAND [ARGS...]</c>: serves MCP on
/// standard input/output and forwards everything to COMMAND, a child MCP server on stdio, through the full policy pipeline.
/// Standard output carries only the protocol; logs go to standard error. Exits 0 when the upstream client disconnects,
/// <see cref="GatewayExitCodes.ChildFailed"/> when the child fails to start or ends, <see cref="ExitCodes.Usage"/> on a usage error.
/// </summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var options = new ChildOptions();
        var policy = new Option<FileInfo>("--policy")
        {
            Description = "The policy file (JSON; see docs/policy-reference.md).",
            Required = true,
        };
        var lockFile = new Option<FileInfo>("--lock")
        {
            Description = "Pin the child's tools to this catalog lock file (mcp-policy.lock.json, written by 'mcp-policy pin'): new or changed tools get defaults.unknownTool / defaults.changedTool.",
        };
        var audit = new Option<FileInfo>("--audit")
        {
            Description = "Append a hash-chained audit record per decision to this JSON Lines file (needs --audit-key-file).",
        };
        var auditKey = new Option<FileInfo>("--audit-key-file")
        {
            Description = "The file holding the audit chain key (base64, at least 32 bytes).",
        };
        var approvalCommand = new Option<string>("--approval-command")
        {
            Description = "A shell command that decides HIGH calls when the upstream client does not support elicitation: it reads the request as JSON on standard input; exit code 0 approves.",
        };
        var timeout = new Option<double>("--timeout")
        {
            Description = "Seconds a forwarded request may wait for the child's answer.",
            DefaultValueFactory = _ => 120,
        };
        var logLevel = new Option<LogLevel>("--log-level")
        {
            Description = "The least severe log entry written to standard error.",
            DefaultValueFactory = _ => LogLevel.Information,
        };

        var command = new Command("run", "Serve MCP on stdio in front of a child MCP server, enforcing the policy on everything that passes.")
        {
            policy,
            options.ServerId,
            lockFile,
            audit,
            auditKey,
            approvalCommand,
            timeout,
            options.StartupTimeout,
            options.ProtocolVersion,
            logLevel,
            options.ChildCommand,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var seconds = parse.GetValue(timeout);
            if (!(seconds > 0))
            {
                throw new UsageException($"--timeout must be a positive number of seconds (was {seconds.ToString(CultureInfo.InvariantCulture)}).");
            }

            var (program, arguments) = options.ReadCommand(parse);
            var settings = new GatewaySettings
            {
                PolicyPath = parse.GetValue(policy)!.FullName,
                ServerId = options.ReadServerId(parse),
                LockPath = parse.GetValue(lockFile)?.FullName,
                AuditPath = parse.GetValue(audit)?.FullName,
                AuditKeyFile = parse.GetValue(auditKey)?.FullName,
                ApprovalCommand = parse.GetValue(approvalCommand),
                RequestTimeout = TimeSpan.FromSeconds(seconds),
                StartupTimeout = options.ReadStartupTimeout(parse),
                ChildProtocolVersion = parse.GetValue(options.ProtocolVersion),
                LogLevel = parse.GetValue(logLevel),
                Command = program,
                Arguments = arguments,
            };

            var error = parse.InvocationConfiguration.Error;
            using var logs = new StandardErrorLoggerProvider(error, settings.LogLevel);
            await using var services = GatewayServices.Build(settings, logs);
            ILoggerFactory loggerFactory = logs;
            var child = CreateChildTransport(settings, loggerFactory);
            await using var childLifetime = child.ConfigureAwait(false);
            var upstream = CreateUpstreamTransport(loggerFactory);
            await using (upstream.ConfigureAwait(false))
            {
                return await GatewayProxy.RunAsync(settings, services, child, upstream, cancellationToken).ConfigureAwait(false);
            }
        });
        return command;
    }

    /// <summary>
    /// MCP on the gateway's own standard input/output: blocking reads on a dedicated thread and one blocking write per message (the console
    /// streams' async reads and writes are thread-pool work items), lines bounded like the child's, unreadable requests answered with a parse error.
    /// </summary>
    internal static LineTransport CreateUpstreamTransport(ILoggerFactory loggerFactory)
        => new(
            Console.OpenStandardInput(),
            Console.OpenStandardOutput(),
            new LineTransportOptions { Name = "upstream", ReplyToUnreadable = true, SynchronousWrites = true, OwnsStreams = true },
            loggerFactory.CreateLogger("McpPolicy.Gateway.Upstream"));

    /// <summary>The transport that starts the child with the gateway's environment, bounded line length and its standard error relayed.</summary>
    internal static ChildProcessTransport CreateChildTransport(GatewaySettings settings, ILoggerFactory loggerFactory)
        => new(settings, loggerFactory);
}
