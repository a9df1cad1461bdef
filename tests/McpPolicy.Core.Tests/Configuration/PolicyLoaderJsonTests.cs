using System.Text.Json;
using McpPolicy.Core.Tests.TestSupport;

namespace McpPolicy.Core.Tests.Configuration;

public sealed class PolicyLoaderJsonTests
{
    /// <summary>The example of the policy format contract, minus labels, chains, flows, limits and typed constraints.</summary>
    internal const string FormatExample = """
        {
          "version": 1,
          "defaults": {
            "risk": "Medium",          // base risk of a known tool that no tool entry matches
            "unknownTool": "Block",    // a tool the host has never seen / not in the lock file
            "changedTool": "Block"     // a tool whose definition differs from the lock file
          },
          "servers": {
            "fs":   { "trusted": false },   // untrusted: annotation hints may only raise risk
            "docs": { "trusted": true }
          },
          "tools": [
            { "match": "fs/read_text_file", "risk": "Low" },
            { "match": "fs/write_*",  "risk": "High" },
            { "match": "*/delete_*",  "risk": "Block", "reason": "deleting is not allowed here" },
            { "match": "http/fetch",  "risk": "Medium" },
            { "match": "shell/run",   "risk": "High" }
          ],
          "rules": [
            { "id": "large-transfer", "match": "bank/send_money",
              "when": { "amount": { "min": 1000 } }, "risk": "High", "reason": "transfers of 1000 or more need approval" }
          ],
          "approval": { "timeout": "00:02:00", "singleUse": true }
        }
        """;

    [Fact]
    public void Format_example_without_unsupported_parts_is_read_completely()
    {
        var options = PolicyLoader.FromJson(FormatExample);

        Assert.Equal(1, options.Version);
        Assert.Equal(RiskLevel.Medium, options.Defaults.Risk);
        Assert.Equal(RiskLevel.Block, options.Defaults.UnknownTool);
        Assert.Equal(RiskLevel.Block, options.Defaults.ChangedTool);
        Assert.False(options.Servers["fs"].Trusted);
        Assert.True(options.Servers["docs"].Trusted);
        Assert.Equal(["fs/read_text_file", "fs/write_*", "*/delete_*", "http/fetch", "shell/run"], options.Tools.Select(t => t.Match));
        Assert.Equal([RiskLevel.Low, RiskLevel.High, RiskLevel.Block, RiskLevel.Medium, RiskLevel.High], options.Tools.Select(t => t.Risk));
        Assert.Equal("deleting is not allowed here", options.Tools[2].Reason);
        var rule = Assert.Single(options.Rules);
        Assert.Equal(("large-transfer", "bank/send_money", RiskLevel.High), (rule.Id, rule.Match, rule.Risk));
        Assert.Equal(1000m, rule.When["amount"].Min);
        Assert.Equal(TimeSpan.FromMinutes(2), options.Approval.Timeout);
        Assert.True(options.Approval.SingleUse);
    }

    [Fact]
    public void Format_example_compiles_and_decides_as_documented()
    {
        var evaluator = new PolicyEvaluator(PolicyLoader.FromJson(FormatExample));

        Assert.Equal(RiskLevel.Low, evaluator.Evaluate(Calls.Known("fs/read_text_file")).Risk);
        Assert.Equal(RiskLevel.High, evaluator.Evaluate(Calls.Known("fs/write_file")).Risk);
        var delete = evaluator.Evaluate(Calls.Known("fs/delete_file"));
        Assert.Equal(PolicyOutcome.Deny, delete.Outcome);
        Assert.Equal(new PolicyReason("tools[2]", "deleting is not allowed here", RiskLevel.Block), delete.DecisiveReason);
        Assert.Equal(RiskLevel.Medium, evaluator.Evaluate(Calls.Known("bank/send_money", """{"amount": 999}""")).Risk);
        var transfer = evaluator.Evaluate(Calls.Known("bank/send_money", """{"amount": 1000}"""));
        Assert.Equal(RiskLevel.High, transfer.Risk);
        Assert.Equal("large-transfer", transfer.DecisiveReason.Id);
    }

    [Fact]
    public void Keys_are_read_in_any_casing()
    {
        var options = PolicyLoader.FromJson("""
            {
              "VERSION": 1,
              "Defaults": { "RISK": "low", "UnknownTool": "high" },
              "TOOLS": [ { "Match": "fs/read_*", "RISK": "LOW", "OnViolation": "Medium",
                           "ARGUMENTS": { "path": { "MaxLength": 10, "NOTIN": ["x"] } } } ],
              "Rules": [ { "ID": "r", "WHEN": { "n": { "MIN": 1 } }, "Risk": "High" } ],
              "approval": { "SINGLEUSE": false }
            }
            """);

        Assert.Equal(RiskLevel.Low, options.Defaults.Risk);
        Assert.Equal(RiskLevel.High, options.Defaults.UnknownTool);
        var tool = Assert.Single(options.Tools);
        Assert.Equal(("fs/read_*", RiskLevel.Low, RiskLevel.Medium), (tool.Match, tool.Risk, tool.OnViolation));
        Assert.Equal(10, tool.Arguments["path"].MaxLength);
        Assert.Equal("\"x\"", Assert.Single(tool.Arguments["path"].NotIn!).GetRawText());
        Assert.Equal(1m, Assert.Single(options.Rules).When["n"].Min);
        Assert.False(options.Approval.SingleUse);
    }

    [Fact]
    public void Argument_names_keep_their_casing()
    {
        var options = PolicyLoader.FromJson("""{ "tools": [ { "match": "a/b", "risk": "Low", "arguments": { "FilePath": { "required": true } } } ] }""");

        Assert.Equal(["FilePath"], options.Tools[0].Arguments.Keys);
    }

    [Fact]
    public void Comments_and_trailing_commas_are_allowed()
    {
        var options = PolicyLoader.FromJson("""
            /* leading block comment */
            {
              // a line comment
              "tools": [
                { "match": "fs/read_*", "risk": "Low", }, // trailing comma in an object
              ],
            }
            """);

        Assert.Equal("fs/read_*", Assert.Single(options.Tools).Match);
    }

    [Fact]
    public void Unknown_key_names_its_path_line_and_column()
    {
        var ex = Assert.Throws<PolicyValidationException>(() => PolicyLoader.FromJson(
            "{\n  \"tools\": [\n    { \"mtch\": \"fs/read_*\", \"risk\": \"Low\" }\n  ]\n}", "policy.json"));

        var unknown = Assert.Single(ex.Errors, e => e.Path == "$.tools[0].mtch");
        Assert.Equal("policy.json line 3, column 15", unknown.Location);
        Assert.Contains("unknown key 'mtch'", unknown.Message, StringComparison.Ordinal);
        Assert.Contains("$.tools[0].mtch (policy.json line 3, column 15)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_root_key_is_rejected()
    {
        var ex = Assert.Throws<PolicyValidationException>(() => PolicyLoader.FromJson("""{ "tool": [] }"""));

        Assert.Equal("$.tool", Assert.Single(ex.Errors).Path);
    }

    [Fact]
    public void Unknown_condition_key_is_rejected()
    {
        var ex = Assert.Throws<PolicyValidationException>(() => PolicyLoader.FromJson(
            """{ "rules": [ { "id": "r", "risk": "High", "when": { "amount": { "minimum": 5 } } } ] }"""));

        Assert.Equal("$.rules[0].when.amount.minimum", Assert.Single(ex.Errors).Path);
    }

    [Theory]
    [InlineData("""{ "version": "1" }""", "$.version", "expected a whole number")]
    [InlineData("""{ "version": 2 }""", "$.version", "version 2 is not supported")]
    [InlineData("""{ "tools": {} }""", "$.tools", "expected an array")]
    [InlineData("""{ "tools": [ "fs/*" ] }""", "$.tools[0]", "expected an object")]
    [InlineData("""{ "tools": [ { "match": 5, "risk": "Low" } ] }""", "$.tools[0].match", "expected a string")]
    [InlineData("""{ "tools": [ { "match": "a/b", "risk": 3 } ] }""", "$.tools[0].risk", "expected a risk level")]
    [InlineData("""{ "servers": { "fs": { "trusted": "yes" } } }""", "$.servers.fs.trusted", "expected true or false")]
    [InlineData("""{ "servers": { "fs": { "trusted": "true" } } }""", "$.servers.fs.trusted", "expected true or false")]
    [InlineData("""{ "servers": [] }""", "$.servers", "expected an object")]
    [InlineData("""{ "rules": [ { "id": "r", "risk": "High", "when": { "a": { "min": "1000" } } } ] }""", "$.rules[0].when.a.min", "expected a number")]
    [InlineData("""{ "rules": [ { "id": "r", "risk": "High", "when": { "a": { "maxLength": 2.5 } } } ] }""", "$.rules[0].when.a.maxLength", "expected a whole number")]
    [InlineData("""{ "rules": [ { "id": "r", "risk": "High", "when": { "a": { "in": "x" } } } ] }""", "$.rules[0].when.a.in", "expected an array of values")]
    [InlineData("""{ "rules": [ { "id": "r", "risk": "High", "when": { "a": 5 } } ] }""", "$.rules[0].when.a", "expected an object")]
    [InlineData("""{ "approval": { "timeout": "soon" } }""", "$.approval.timeout", "not a positive time span")]
    [InlineData("""{ "approval": { "timeout": "-00:01:00" } }""", "$.approval.timeout", "not a positive time span")]
    [InlineData("""{ "approval": { "timeout": "120" } }""", "$.approval.timeout", "not a positive time span")]
    public void Value_of_the_wrong_type_names_its_path(string json, string path, string message)
    {
        var ex = Assert.Throws<PolicyValidationException>(() => PolicyLoader.FromJson(json));

        var error = Assert.Single(ex.Errors);
        Assert.Equal(path, error.Path);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("policy line ", error.Location, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Critical")]
    [InlineData("Deny")]
    [InlineData("")]
    public void Unknown_risk_name_is_rejected(string risk)
    {
        var ex = Assert.Throws<PolicyValidationException>(() => PolicyLoader.FromJson($$"""{ "defaults": { "risk": "{{risk}}" } }"""));

        var error = Assert.Single(ex.Errors);
        Assert.Equal("$.defaults.risk", error.Path);
        Assert.Contains("Low, Medium, High or Block", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_match_and_risk_of_a_tools_entry_are_reported()
    {
        var ex = Assert.Throws<PolicyValidationException>(() => PolicyLoader.FromJson("""{ "tools": [ { "reason": "x" } ] }"""));

        Assert.Equal(2, ex.Errors.Count);
        Assert.All(ex.Errors, e => Assert.Equal("$.tools[0]", e.Path));
        Assert.Contains(ex.Errors, e => e.Message.Contains("'match'", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.Message.Contains("'risk'", StringComparison.Ordinal));
    }

    [Fact]
    public void Missing_rule_id_is_reported()
    {
        var ex = Assert.Throws<PolicyValidationException>(() => PolicyLoader.FromJson("""{ "rules": [ { "risk": "High" } ] }"""));

        Assert.Equal("$.rules[0]", Assert.Single(ex.Errors).Path);
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var ex = Assert.Throws<PolicyValidationException>(() => PolicyLoader.FromJson("""
            { "defaults": { "risk": "Huge" }, "tools": [ { "match": "a/b", "risk": "Low", "x": 1 } ], "limits": { "perTool": 1 } }
            """));

        Assert.Equal(["$.defaults.risk", "$.tools[0].x", "$.limits.perTool"], ex.Errors.Select(e => e.Path));
        Assert.Contains("(3 problems)", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "tools": [ { "match": "a/b", "risk": "Low", "match": "c/d" } ] }""", "$.tools[0].match", "line 1, column 47")]
    [InlineData("""{ "tools": [ { "match": "a/b", "risk": "Low", "MATCH": "c/d" } ] }""", "$.tools[0].MATCH", "line 1, column 47")]
    [InlineData("""{ "version": 1, "version": 1 }""", "$.version", "line 1, column 17")]
    [InlineData("""{ "servers": { "fs": {}, "fs": { "trusted": true } } }""", "$.servers.fs", "line 1, column 26")]
    public void Duplicate_key_is_rejected_naming_its_path_and_position(string json, string path, string position)
    {
        var ex = Assert.Throws<PolicyValidationException>(() => PolicyLoader.FromJson(json));

        var error = Assert.Single(ex.Errors);
        Assert.Equal(path, error.Path);
        Assert.Equal("policy " + position, error.Location);
        Assert.Contains("appears twice", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("path", """{ "allow": ["/srv/public/**"], "deny": ["**/.env"] }""")]
    [InlineData("url", """{ "schemes": ["https"], "allowHosts": ["*.example.com"] }""")]
    [InlineData("commandLine", """{ "allow": ["git", "ls"], "denyFlags": ["--upload-pack", "-c"] }""")]
    public void Typed_constraint_is_read_and_without_its_package_fails_compilation_naming_it(string kind, string value)
    {
        var options = PolicyLoader.FromJson(
            $$"""{ "tools": [ { "match": "fs/read_text_file", "risk": "Low", "arguments": { "arg": { "{{kind}}": {{value}} } } } ] }""");
        Assert.Equal(JsonDocument.Parse(value).RootElement.GetRawText().Replace(" ", "", StringComparison.Ordinal), options.Tools[0].Arguments["arg"].Typed[kind].GetRawText());

        var ex = Assert.Throws<PolicyValidationException>(() => new PolicyEvaluator(options));

        var error = Assert.Single(ex.Errors);
        Assert.Equal($"$.tools[0].arguments.arg.{kind}", error.Path);
        Assert.Contains("needs McpPolicy.Schemas", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Typed_constraint_uses_a_registered_kind_and_counts_a_throwing_check_against_the_caller()
    {
        var options = PolicyLoader.FromJson("""
            { "servers": { "fs": { "trusted": true } },
              "tools": [ { "match": "fs/read", "risk": "Low", "arguments": { "path": { "path": { "prefix": "/srv/" } } } } ] }
            """);
        var evaluator = new PolicyEvaluator(options, constraintKinds: [new PrefixKind()]);

        Assert.Equal(RiskLevel.Low, evaluator.Evaluate(TestSupport.Calls.Known("fs/read", """{ "path": "/srv/a" }""")).Risk);
        var denied = evaluator.Evaluate(TestSupport.Calls.Known("fs/read", """{ "path": "/etc/passwd" }"""));
        Assert.Equal(RiskLevel.Block, denied.Risk);
        Assert.Contains("must start with /srv/", denied.DecisiveReason.Message, StringComparison.Ordinal);
        Assert.Equal(RiskLevel.Block, evaluator.Evaluate(TestSupport.Calls.Known("fs/read", """{ "path": "boom" }""")).Risk);
        Assert.Throws<PolicyValidationException>(() => new PolicyEvaluator(
            PolicyLoader.FromJson("""{ "tools": [ { "match": "fs/read", "risk": "Low", "arguments": { "path": { "path": { "prefix": 5 } } } } ] }"""),
            constraintKinds: [new PrefixKind()]));
    }

    [Fact]
    public void Typed_settings_enter_the_policy_version_by_content_not_spelling()
    {
        static string Version(string settings) => new PolicyEvaluator(
            PolicyLoader.FromJson($$"""{ "tools": [ { "match": "fs/read", "risk": "Low", "arguments": { "path": { "path": {{settings}} } } } ] }"""),
            constraintKinds: [new PrefixKind()]).PolicyVersion;

        Assert.Equal(Version("""{"prefix":"/srv/","x":1}"""), Version("""{ "x": 1.0, "prefix": "/srv/" }"""));
        Assert.NotEqual(Version("""{"prefix":"/srv/"}"""), Version("""{"prefix":"/srv/data/"}"""));
    }

    private sealed class PrefixKind : IArgumentConstraintKind
    {
        public string Name => "path";

        public IArgumentCheck Compile(JsonElement settings)
            => settings.TryGetProperty("prefix", out var p) && p.ValueKind == JsonValueKind.String
                ? new PrefixCheck(p.GetString()!)
                : throw new ArgumentException("'prefix' must be a string");

        private sealed class PrefixCheck(string prefix) : IArgumentCheck
        {
            public string Description => "must start with " + prefix;

            public bool? Check(JsonElement value)
                => value.ValueKind != JsonValueKind.String ? null
                    : value.GetString() == "boom" ? throw new InvalidOperationException("bug")
                    : value.GetString()!.StartsWith(prefix, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Full_format_example_reads_every_part_including_limits()
    {
        var options = PolicyLoader.FromJson(FullFormatExample);

        var limit = Assert.Single(options.Limits.PerTool);
        Assert.Equal("*/*", limit.Key);
        Assert.Equal(60, limit.Value.PerMinute);
        Assert.Equal(4, limit.Value.Concurrency);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("{ \"tools\": [ ")]
    [InlineData("{ } { }")]
    [InlineData("{ \"version\": 1 } x")]
    public void Malformed_json_is_a_validation_error(string json)
    {
        var ex = Assert.Throws<PolicyValidationException>(() => PolicyLoader.FromJson(json, "bad.json"));

        var error = Assert.Single(ex.Errors);
        Assert.Equal("$", error.Path);
        Assert.StartsWith("bad.json", error.Location, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_json_names_the_line_of_the_problem()
    {
        var ex = Assert.Throws<PolicyValidationException>(() => PolicyLoader.FromJson("{\n  \"tools\": [\n    { \"match\" \"a/b\" }\n  ]\n}", "bad.json"));

        Assert.StartsWith("bad.json line 3,", Assert.Single(ex.Errors).Location, StringComparison.Ordinal);
    }

    [Fact]
    public void Root_that_is_not_an_object_is_rejected()
    {
        var ex = Assert.Throws<PolicyValidationException>(() => PolicyLoader.FromJson("[]"));

        Assert.Equal("$", Assert.Single(ex.Errors).Path);
    }

    [Fact]
    public void Schema_key_is_allowed()
    {
        var options = PolicyLoader.FromJson("""{ "$schema": "./mcppolicy.schema.json", "version": 1 }""");

        Assert.Equal(1, options.Version);
    }

    [Fact]
    public void Invalid_document_leaves_existing_options_unchanged()
    {
        var target = PolicyLoader.FromJson(FormatExample);
        var before = new PolicyEvaluator(target).PolicyVersion;

        // Every part of this document is valid except the last tools entry.
        Assert.Throws<PolicyValidationException>(() => PolicyLoader.ApplyJson(target, """
            {
              "defaults": { "risk": "Low", "unknownTool": "Low" },
              "servers": { "fs": { "trusted": true }, "new": { "trusted": true } },
              "tools": [ { "match": "x/y", "risk": "Low" }, { "match": "x/z", "risk": "Nope" } ],
              "rules": [ { "id": "added", "risk": "Block" } ],
              "approval": { "timeout": "00:10:00", "singleUse": false }
            }
            """));

        Assert.Equal(RiskLevel.Medium, target.Defaults.Risk);
        Assert.Equal(RiskLevel.Block, target.Defaults.UnknownTool);
        Assert.False(target.Servers["fs"].Trusted);
        Assert.False(target.Servers.ContainsKey("new"));
        Assert.Equal(5, target.Tools.Count);
        Assert.Single(target.Rules);
        Assert.Equal(TimeSpan.FromMinutes(2), target.Approval.Timeout);
        Assert.True(target.Approval.SingleUse);
        Assert.Equal(before, new PolicyEvaluator(target).PolicyVersion);
    }

    [Fact]
    public void Valid_document_extends_existing_options()
    {
        var target = PolicyLoader.FromJson(FormatExample);

        PolicyLoader.ApplyJson(target, """
            { "defaults": { "unknownTool": "High" }, "tools": [ { "match": "x/y", "risk": "Low" } ], "approval": { "singleUse": false } }
            """);

        Assert.Equal(RiskLevel.Medium, target.Defaults.Risk);
        Assert.Equal(RiskLevel.High, target.Defaults.UnknownTool);
        Assert.Equal(6, target.Tools.Count);
        Assert.Equal("x/y", target.Tools[5].Match);
        Assert.Equal(TimeSpan.FromMinutes(2), target.Approval.Timeout);
        Assert.False(target.Approval.SingleUse);
    }

    [Fact]
    public void Policy_file_is_read_and_errors_name_the_file()
    {
        var directory = Directory.CreateTempSubdirectory("mcppolicy-tests-");
        try
        {
            var good = Path.Combine(directory.FullName, "good.json");
            File.WriteAllText(good, FormatExample);
            Assert.Equal(5, PolicyLoader.FromFile(good).Tools.Count);

            var bad = Path.Combine(directory.FullName, "bad.json");
            File.WriteAllText(bad, "{\n  \"rules\": [ { \"id\": \"r\", \"risk\": \"High\", \"wen\": {} } ]\n}");
            var ex = Assert.Throws<PolicyValidationException>(() => PolicyLoader.FromFile(bad));
            var error = Assert.Single(ex.Errors);
            Assert.Equal("$.rules[0].wen", error.Path);
            Assert.Equal("bad.json line 2, column 50", error.Location);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void Missing_policy_file_is_a_validation_error()
    {
        var missing = Path.Combine(Path.GetTempPath(), "mcppolicy-" + Guid.NewGuid().ToString("N") + ".json");

        var ex = Assert.Throws<PolicyValidationException>(() => PolicyLoader.FromFile(missing));

        Assert.Contains("cannot be read", Assert.Single(ex.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Numbers_keep_their_exact_decimal_value()
    {
        var options = PolicyLoader.FromJson("""{ "rules": [ { "id": "r", "risk": "High", "when": { "a": { "min": 0.1, "max": 1e3 } } } ] }""");

        Assert.Equal(0.1m, options.Rules[0].When["a"].Min);
        Assert.Equal(1000m, options.Rules[0].When["a"].Max);
    }

    [Fact]
    public void Rule_without_match_applies_to_every_tool()
    {
        var options = PolicyLoader.FromJson("""{ "rules": [ { "id": "r", "risk": "High" } ] }""");

        Assert.Equal("*/*", options.Rules[0].Match);
    }

    [Fact]
    public void Condition_values_are_kept_as_json()
    {
        var options = PolicyLoader.FromJson("""
            { "rules": [ { "id": "r", "risk": "High", "when": { "a": { "equals": { "k": [1, "x", null, true] }, "notIn": [1.50, "1"] } } } ] }
            """);

        var condition = options.Rules[0].When["a"];
        Assert.Equal("""{"k":[1,"x",null,true]}""", condition.EqualTo!.Value.GetRawText());
        Assert.Equal(["1.50", "\"1\""], condition.NotIn!.Select(v => v.GetRawText()));
    }

    private const string FullFormatExample = """
        {
          "version": 1,
          "defaults": { "risk": "Medium", "unknownTool": "Block", "changedTool": "Block" },
          "servers": { "fs": { "trusted": false }, "docs": { "trusted": true } },
          "tools": [
            { "match": "fs/read_text_file", "risk": "Low",
              "arguments": { "path": { "path": { "allow": ["/srv/public/**"], "deny": ["**/.env"] } } } },
            { "match": "fs/write_*",  "risk": "High" },
            { "match": "*/delete_*",  "risk": "Block", "reason": "deleting is not allowed here" },
            { "match": "http/fetch",  "risk": "Medium",
              "arguments": { "url": { "url": { "schemes": ["https"], "allowHosts": ["*.example.com"] } } } },
            { "match": "shell/run",   "risk": "High",
              "arguments": { "command": { "commandLine": { "allow": ["git", "ls"], "denyFlags": ["--upload-pack", "-c"] } } } }
          ],
          "rules": [
            { "id": "large-transfer", "match": "bank/send_money",
              "when": { "amount": { "min": 1000 } }, "risk": "High", "reason": "transfers of 1000 or more need approval" }
          ],
          "labels": { "web/*": ["untrustedSource"] },
          "chains": [ { "id": "docs-secret-egress", "sequence": ["docs/search", "secrets/*", "http/*"], "within": { "calls": 20 }, "risk": "Block" } ],
          "flows": { "untrustedThenPrivateThenSink": "High" },
          "limits": { "perTool": { "*/*": { "perMinute": 60, "concurrency": 4 } } },
          "approval": { "timeout": "00:02:00", "singleUse": true }
        }
        """;
}
