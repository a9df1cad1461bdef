using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Gateway.Policies;

/// <summary>
/// <c>mcp-policy explain --policy FILE --call 'server/tool' [--args JSON] [--tool-definition FILE]</c>: prints the decision the policy makes on
/// one call (risk, outcome and every reason). Without a tool definition the tool is taken as listed with no annotations, which for an
/// untrusted server means the spec's worst-case hints. Exits 0 when the call would be allowed, 1 when it would be denied or need approval, 2 on a usage error.
/// </summary>
internal static class ExplainCommand
{
    public static Command Create()
    {
        var policy = new Option<FileInfo>("--policy") { Description = "The policy file.", Required = true };
        var call = new Option<string>("--call") { Description = "The call, as 'serverId/toolName'.", Required = true };
        var args = new Option<string>("--args") { Description = "The call's arguments, a JSON object.", DefaultValueFactory = _ => "{}" };
        var definition = new Option<FileInfo>("--tool-definition")
        {
            Description = "The tool's definition as the server lists it (JSON with name, inputSchema, annotations), so annotation hints count.",
        };
        var command = new Command("explain", "Print the decision a policy makes on one call, with every reason.") { policy, call, args, definition };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var name = parse.GetValue(call)!;
            var slash = name.IndexOf('/', StringComparison.Ordinal);
            if (slash <= 0 || slash == name.Length - 1 || name.IndexOf('/', slash + 1) >= 0)
            {
                throw new UsageException($"--call '{name}' must be 'serverId/toolName' (exactly one '/').");
            }

            var serverId = name[..slash];
            var toolName = name[(slash + 1)..];
            ToolArguments arguments;
            try
            {
                using var parsed = JsonDocument.Parse(parse.GetValue(args)!);
                if (parsed.RootElement.ValueKind != JsonValueKind.Object)
                {
                    throw new UsageException("--args must be a JSON object, for example '{\"path\": \"/tmp/a.txt\"}'.");
                }

                arguments = ToolArguments.FromJson(parsed.RootElement.Clone());
            }
            catch (JsonException ex)
            {
                throw new UsageException($"--args is not valid JSON: {ex.Message}", ex);
            }

            var tool = ReadDefinition(parse.GetValue(definition), toolName);
            LoadedPolicy loaded;
            try
            {
                loaded = LoadedPolicy.Load(parse.GetValue(policy)!.FullName);
            }
            catch (PolicyProblemsException ex)
            {
                throw new UsageException("the policy is invalid (run 'mcp-policy check' for details): " + ex.Message, ex);
            }

            using (loaded)
            {
                var decision = loaded.Evaluator.Evaluate(new ToolInvocationContext(serverId, toolName, arguments, tool));
                await output.WriteAsync(Describe(name, decision, definitionGiven: parse.GetValue(definition) is not null)).ConfigureAwait(false);
                return decision.IsAllowed ? ExitCodes.Ok : ExitCodes.Findings;
            }
        });
        return command;
    }

    /// <summary>The text <c>explain</c> prints for a decision.</summary>
    internal static string Describe(string call, PolicyDecision decision, bool definitionGiven)
    {
        var c = CultureInfo.InvariantCulture;
        var text = new System.Text.StringBuilder();
        text.Append(c, $"call: {call}\n");
        text.Append(c, $"decision: {decision.Risk} -> {decision.Outcome}\n");
        text.Append(c, $"policy version: {decision.PolicyVersion}\n");
        text.Append("reasons:\n");
        foreach (var reason in decision.Reasons)
        {
            text.Append(c, $"  - [{reason.Id}] {reason.Risk}: {reason.Message}\n");
        }

        if (!definitionGiven)
        {
            text.Append("note: no --tool-definition given, so the tool has no annotation hints (an untrusted server's tool then counts as destructive and open-world).\n");
        }

        text.Append("note: schema validation, flows, limits and the catalog lock also apply at run time; they depend on the live tool definition and the conversation.\n");
        return text.ToString();
    }

    private static ToolDescriptor ReadDefinition(FileInfo? file, string toolName)
    {
        if (file is null)
        {
            return new ToolDescriptor(toolName);
        }

        if (!file.Exists)
        {
            throw new UsageException($"the tool definition file '{file.FullName}' does not exist.");
        }

        Tool? tool;
        try
        {
            tool = JsonSerializer.Deserialize<Tool>(File.ReadAllText(file.FullName), ModelContextProtocol.McpJsonUtilities.DefaultOptions);
        }
        catch (JsonException ex)
        {
            throw new UsageException($"'{file.FullName}' is not a tool definition: {ex.Message}", ex);
        }

        if (tool is null || tool.Name != toolName)
        {
            throw new UsageException($"'{file.FullName}' defines tool '{tool?.Name}', not '{toolName}'.");
        }

        return ToolDescriptor.FromProtocol(tool);
    }
}
