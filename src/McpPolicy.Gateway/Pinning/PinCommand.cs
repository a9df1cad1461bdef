using System.CommandLine;
using McpPolicy.Gateway.Run;
using McpPolicy.Schemas;

namespace McpPolicy.Gateway.Pinning;

/// <summary>
/// <c>mcp-policy pin --server-id ID [--lock FILE] [--approved-by NAME] -- COMMAND...</c>: starts the server, lists its tools, instructions,
/// prompts and resources and writes them as approved into the lock file (other servers' entries are kept).
/// <c>mcp-policy diff --server-id ID [--lock FILE] -- COMMAND...</c>: compares what the server lists now with the lock file, prints a
/// semantic diff and exits 1 on drift (for CI). Both exit <see cref="GatewayExitCodes.ChildFailed"/> when the server fails.
/// </summary>
internal static class PinCommand
{
    public static Command CreatePin() => Create(pin: true);

    public static Command CreateDiff() => Create(pin: false);

    private static Command Create(bool pin)
    {
        var child = new ChildOptions();
        var lockFile = new Option<FileInfo>("--lock")
        {
            Description = "The lock file.",
            DefaultValueFactory = _ => new FileInfo(CatalogLockFile.FileName),
        };
        var approvedBy = new Option<string>("--approved-by")
        {
            Description = "Who approves the pinned definitions (recorded in the lock file).",
            DefaultValueFactory = _ => Environment.UserName,
        };
        var command = pin
            ? new Command("pin", "Start a server and write its current tools into the lock file as approved.")
            : new Command("diff", "Start a server and compare its tools with the lock file; exits 1 on drift.");
        command.Options.Add(child.ServerId);
        command.Options.Add(lockFile);
        if (pin)
        {
            command.Options.Add(approvedBy);
        }

        command.Options.Add(child.StartupTimeout);
        command.Options.Add(child.ProtocolVersion);
        command.Arguments.Add(child.ChildCommand);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var serverId = child.ReadServerId(parse);
            var (program, arguments) = child.ReadCommand(parse);
            var path = parse.GetValue(lockFile)!.FullName;
            CatalogLock current;
            try
            {
                current = File.Exists(path) ? CatalogLockFile.Load(path) : CatalogLock.Empty;
            }
            catch (CatalogLockException ex)
            {
                throw new UsageException($"the lock file '{path}' cannot be read: {ex.Message}", ex);
            }

            if (!pin && !File.Exists(path))
            {
                throw new UsageException($"the lock file '{path}' does not exist; create it with 'mcp-policy pin'.");
            }

            var settings = new GatewaySettings { PolicyPath = string.Empty, ServerId = serverId, Command = program, Arguments = arguments };
            using var logs = new StandardErrorLoggerProvider(error, Microsoft.Extensions.Logging.LogLevel.Warning);
            LiveCatalog live;
            var transport = RunCommand.CreateChildTransport(settings, logs);
            await using (transport.ConfigureAwait(false))
            {
                try
                {
                    live = await LiveCatalog.ReadAsync(serverId, transport, child.ReadStartupTimeout(parse), logs, parse.GetValue(child.ProtocolVersion), cancellationToken).ConfigureAwait(false);
                }
                catch (ChildFailedException ex)
                {
                    await error.WriteLineAsync($"mcp-policy: the server '{GatewayProxy.Describe(settings)}' failed: {ex.Message}; {transport.DescribeEnd()}").ConfigureAwait(false);
                    return GatewayExitCodes.ChildFailed;
                }
            }

            if (pin)
            {
                var approver = parse.GetValue(approvedBy);
                if (string.IsNullOrWhiteSpace(approver))
                {
                    throw new UsageException("--approved-by must name who approves the definitions.");
                }

                var (next, added, changed, removed) = CatalogComparison.Pin(current, live, approver, DateTimeOffset.UtcNow);
                CatalogLockFile.Save(next, path);
                await output.WriteLineAsync($"pinned {live.Tools.Count} tool(s) of '{serverId}' in {path}: {added} added, {changed} changed, {removed} removed").ConfigureAwait(false);
                return ExitCodes.Ok;
            }

            var (drift, report) = CatalogComparison.Diff(current, live);
            await output.WriteAsync(report).ConfigureAwait(false);
            return drift == 0 ? ExitCodes.Ok : ExitCodes.Findings;
        });
        return command;
    }
}
