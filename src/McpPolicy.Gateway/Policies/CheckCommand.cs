using System.CommandLine;
using System.Globalization;

namespace McpPolicy.Gateway.Policies;

/// <summary>
/// <c>mcp-policy check FILE</c>: validates a policy file and prints what the compiled policy will do (its version hash, defaults, servers,
/// tool entries in precedence order, rules, flows, limits and approval settings). Exits 0 when valid, 1 when invalid (every problem listed), 2 on a usage error.
/// </summary>
internal static class CheckCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("FILE") { Description = "The policy file (JSON; see docs/policy-reference.md)." };
        var command = new Command("check", "Validate a policy file and print a summary of the compiled policy.") { file };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var path = parse.GetValue(file)!.FullName;
            LoadedPolicy loaded;
            try
            {
                loaded = LoadedPolicy.Load(path);
            }
            catch (PolicyProblemsException ex)
            {
                await output.WriteLineAsync($"INVALID {path}: {ex.Problems.Count} problem(s)").ConfigureAwait(false);
                foreach (var problem in ex.Problems)
                {
                    await output.WriteLineAsync("  - " + problem).ConfigureAwait(false);
                }

                return ExitCodes.Findings;
            }

            using (loaded)
            {
                await output.WriteAsync(Summarize(path, loaded)).ConfigureAwait(false);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The compiled summary <c>check</c> prints.</summary>
    internal static string Summarize(string path, LoadedPolicy loaded)
    {
        var o = loaded.Options;
        var text = new System.Text.StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.Append(c, $"OK {path}\n");
        text.Append(c, $"policy version: {loaded.Evaluator.PolicyVersion}\n");
        text.Append(c, $"defaults: risk {o.Defaults.Risk}, unknown tool {o.Defaults.UnknownTool}, changed tool {o.Defaults.ChangedTool}\n");
        text.Append(c, $"servers ({o.Servers.Count}):");
        foreach (var (id, server) in o.Servers.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            text.Append(c, $" {id}={(server.Trusted ? "trusted" : "untrusted")}");
        }

        text.Append('\n');
        text.Append(c, $"tools ({o.Tools.Count}): an exact name beats a pattern; among patterns the longest literal text wins\n");
        for (var i = 0; i < o.Tools.Count; i++)
        {
            var tool = o.Tools[i];
            text.Append(c, $"  tools[{i}] {tool.Match} -> {tool.Risk}");
            if (tool.Arguments.Count > 0)
            {
                text.Append(c, $"; constrains {string.Join(", ", tool.Arguments.Keys)} (violation: {tool.OnViolation})");
            }

            if (tool.Schema is not null)
            {
                text.Append("; schema overlay");
            }

            if (tool.Reason is not null)
            {
                text.Append(c, $"; reason: {tool.Reason}");
            }

            text.Append('\n');
        }

        text.Append(c, $"rules ({o.Rules.Count}):\n");
        foreach (var rule in o.Rules)
        {
            text.Append(c, $"  {rule.Id} on {rule.Match} when {string.Join(", ", rule.When.Keys)} -> {rule.Risk}\n");
        }

        text.Append(c, $"labels ({o.Labels.Count}), chains ({o.Chains.Count}):");
        foreach (var chain in o.Chains)
        {
            text.Append(c, $" {chain.Id} -> {chain.Risk};");
        }

        text.Append('\n');
        text.Append(c, $"limits: {o.Limits.PerTool.Count} per-tool entr{(o.Limits.PerTool.Count == 1 ? "y" : "ies")}\n");
        text.Append(c, $"approval: timeout {o.Approval.Timeout}, {(o.Approval.SingleUse ? "single use" : "reusable")}\n");
        return text.ToString();
    }
}
