using System.CommandLine;

namespace McpPolicy.Gateway.Replay;

/// <summary>
/// <c>mcp-policy replay --policy FILE --suite DIR [--approvals user|none]</c>: replays the benign user-task traces and the attack traces of one AgentDojo-format suite
/// folder through the full pipeline (see <see cref="ReplayEngine"/>) and prints a per-task and per-attack report, then, last, exactly one JSON
/// line <c>{"suite":..,"benign":{"allowed":n,"approval":n,"blocked":n},"attacks":{"stopped":n,"total":n}}</c>. Exits 0 when the replay ran,
/// 2 on a usage error (missing or invalid policy or suite).
/// </summary>
internal static class ReplayCommand
{
    public static Command Create()
    {
        var policy = new Option<FileInfo>("--policy")
        {
            Description = "The policy file (JSON; see docs/policy-reference.md). Tools are matched as <suite>/<tool>.",
            Required = true,
        };
        var suite = new Option<DirectoryInfo>("--suite")
        {
            Description = "One suite folder with tools.json, user_tasks.jsonl and attack_traces.jsonl (for example ../shared/eval/agentdojo/banking).",
            Required = true,
        };
        var approvals = new Option<string>("--approvals")
        {
            Description = "What the simulated user answers to High calls: 'user' approves the calls of the user's own task and refuses the injected ones (default); 'none' refuses every one.",
            DefaultValueFactory = _ => "user",
        };
        approvals.AcceptOnlyFromAmong("user", "none");
        var command = new Command("replay", "Replay recorded benign and attack traces of one suite through the policy and report what it allowed, escalated and blocked.")
        {
            policy,
            suite,
            approvals,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var loaded = ReplaySuite.Load(parse.GetValue(suite)!.FullName);
            var approveUserCalls = string.Equals(parse.GetValue(approvals), "user", StringComparison.Ordinal);
            using var engine = ReplayEngine.Create(parse.GetValue(policy)!.FullName, approveUserCalls);
            var report = await engine.ReplayAsync(loaded, cancellationToken).ConfigureAwait(false);
            await output.WriteAsync(report.Text()).ConfigureAwait(false);
            await output.WriteLineAsync(report.JsonLine()).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }
}
