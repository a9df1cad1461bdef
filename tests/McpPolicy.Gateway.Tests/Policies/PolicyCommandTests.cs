namespace McpPolicy.Gateway.Tests.Policies;

public sealed class PolicyCommandTests : IDisposable
{
    private const string Policy = """
        { "version": 1, "defaults": { "risk": "Medium" }, "servers": { "fs": { "trusted": false }, "docs": { "trusted": true } },
          "tools": [ { "match": "fs/read_text_file", "risk": "Low", "arguments": { "path": { "path": { "allow": ["/srv/public/**"], "deny": ["**/.env"] } } } },
                     { "match": "*/delete_*", "risk": "Block", "reason": "deleting is not allowed here" } ],
          "rules": [ { "id": "large-transfer", "match": "bank/send_money", "when": { "amount": { "min": 1000 } }, "risk": "High", "reason": "transfers of 1000 or more need approval" } ] }
        """;

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mcp-policy-check-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public async Task Check_prints_the_compiled_summary_of_a_valid_policy_and_exits_zero()
    {
        var path = Write("p.json", Policy);

        var (code, output, _) = await RunAsync("check", path);

        Assert.Equal(ExitCodes.Ok, code);
        Assert.StartsWith("OK ", output, StringComparison.Ordinal);
        Assert.Matches("policy version: [0-9a-f]{64}", output);
        Assert.Contains("defaults: risk Medium, unknown tool Block, changed tool Block", output, StringComparison.Ordinal);
        Assert.Contains("docs=trusted fs=untrusted", output, StringComparison.Ordinal);
        Assert.Contains("tools[0] fs/read_text_file -> Low; constrains path (violation: Block)", output, StringComparison.Ordinal);
        Assert.Contains("tools[1] */delete_* -> Block; reason: deleting is not allowed here", output, StringComparison.Ordinal);
        Assert.Contains("large-transfer on bank/send_money when amount -> High", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "version": 1, "tools": [ { "match": "x/y", "risk": "Huge" } ] }""", "Huge")]
    [InlineData("""{ "version": 1, "tools": [ { "match": "x/y", "risk": "Low", "surprise": true } ] }""", "surprise")]
    [InlineData("""{ "version": 1, "tools": [ """, "JSON")]
    public async Task Check_lists_what_is_wrong_with_an_invalid_policy_and_exits_one(string policy, string named)
    {
        var path = Write("bad.json", policy);

        var (code, output, _) = await RunAsync("check", path);

        Assert.Equal(ExitCodes.Findings, code);
        Assert.StartsWith("INVALID ", output, StringComparison.Ordinal);
        Assert.Contains(named, output, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Check_of_a_missing_file_is_a_usage_error()
    {
        var (code, _, error) = await RunAsync("check", Path.Combine(_dir.FullName, "none.json"));

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("does not exist", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_shows_a_blocked_traversal_with_every_reason_and_exits_one()
    {
        var path = Write("p.json", Policy);

        var (code, output, _) = await RunAsync("explain", "--policy", path, "--call", "fs/read_text_file", "--args", """{"path":"/srv/public/../secret"}""");

        Assert.Equal(ExitCodes.Findings, code);
        Assert.Contains("decision: Block -> Deny", output, StringComparison.Ordinal);
        Assert.Contains("[tools[0]] Low:", output, StringComparison.Ordinal);
        Assert.Contains("[tools[0].arguments.path] Block:", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_shows_an_allowed_call_and_exits_zero()
    {
        var path = Write("p.json", Policy);
        var definition = Write("tool.json", """{ "name": "search", "inputSchema": { "type": "object" }, "annotations": { "readOnlyHint": true } }""");

        var (code, output, _) = await RunAsync("explain", "--policy", path, "--call", "docs/search", "--args", "{}", "--tool-definition", definition);

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("decision: Low -> Allow", output, StringComparison.Ordinal);
        Assert.Contains("[annotation:readOnly] Low: the trusted server marks this tool read-only", output, StringComparison.Ordinal);
        Assert.DoesNotContain("no --tool-definition", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_shows_a_rule_that_raises_to_approval()
    {
        var path = Write("p.json", Policy);

        var (code, output, _) = await RunAsync("explain", "--policy", path, "--call", "bank/send_money", "--args", """{"amount":5000}""");

        Assert.Equal(ExitCodes.Findings, code);
        Assert.Contains("decision: High -> RequiresApproval", output, StringComparison.Ordinal);
        Assert.Contains("[large-transfer] High: transfers of 1000 or more need approval", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("fs", "{}")]
    [InlineData("fs/a/b", "{}")]
    [InlineData("fs/read_text_file", "[1]")]
    [InlineData("fs/read_text_file", "{oops")]
    public async Task Explain_rejects_a_malformed_call_or_arguments(string call, string args)
    {
        var path = Write("p.json", Policy);

        var (code, _, error) = await RunAsync("explain", "--policy", path, "--call", call, "--args", args);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("mcp-policy:", error, StringComparison.Ordinal);
    }

    internal static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await GatewayCli.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir.FullName, name);
        File.WriteAllText(path, text);
        return path;
    }
}
