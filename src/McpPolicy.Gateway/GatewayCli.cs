using System.CommandLine;
using System.CommandLine.Help;
using McpPolicy.Gateway.Scan;

namespace McpPolicy.Gateway;

/// <summary>
/// The <c>mcp-policy</c> command line. Each command is a class with a static <c>Create()</c> that returns its
/// <see cref="Command"/>; adding one (run, pin, diff, check, explain, replay, audit verify) means adding it to <see cref="Commands"/>.
/// </summary>
internal static class GatewayCli
{
    /// <summary>The commands under the root, in help order.</summary>
    private static IEnumerable<Command> Commands()
    {
        yield return Run.RunCommand.Create();
        yield return Policies.CheckCommand.Create();
        yield return Policies.ExplainCommand.Create();
        yield return Pinning.PinCommand.CreatePin();
        yield return Pinning.PinCommand.CreateDiff();
        yield return ScanCommand.Create();
        yield return Replay.ReplayCommand.Create();
        yield return Audit.AuditCommand.Create();
    }

    /// <summary>Builds the root command with every subcommand, named <c>mcp-policy</c> however the program was started.</summary>
    public static Command CreateRootCommand()
    {
        var root = new Command("mcp-policy", "Deterministic security policy for MCP tool calls.")
        {
            new HelpOption { Recursive = true },
            new VersionOption(),
        };
        foreach (var command in Commands())
        {
            root.Subcommands.Add(command);
        }

        return root;
    }

    /// <summary>Parses and runs a command line, writing to the given writers; returns the exit code (see <see cref="ExitCodes"/>).</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);

        // Response files (@file) are off: an argument is what it says.
        var parse = CreateRootCommand().Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parse.Errors.Count > 0)
        {
            foreach (var problem in parse.Errors)
            {
                await error.WriteLineAsync($"mcp-policy: {problem.Message}").ConfigureAwait(false);
            }

            await error.WriteLineAsync("Run 'mcp-policy --help' for usage.").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false }, cancellationToken).ConfigureAwait(false);
        }
        catch (UsageException e)
        {
            await error.WriteLineAsync($"mcp-policy: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }
    }
}
