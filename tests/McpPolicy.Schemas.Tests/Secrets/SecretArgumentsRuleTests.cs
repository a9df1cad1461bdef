using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using static McpPolicy.Schemas.Tests.Secrets.SecretSamples;

namespace McpPolicy.Schemas.Tests.Secrets;

public sealed class SecretArgumentsRuleTests
{
    private static readonly IReadOnlyList<SecretSample> Samples = All(new Random(20240611));

    private static readonly SecretArgumentsRule DefaultRule = Rule();

    public static TheoryData<string> SampleNames => new(Samples.Select(s => s.Name));

    private static SecretSample Sample(string name) => Samples.Single(s => s.Name == name);

    private static string AssertRaised(ToolInvocationContext call, SecretSample sample, string pointer, SecretArgumentsRule? rule = null)
    {
        var verdict = (rule ?? DefaultRule).Evaluate(call);

        Assert.True(verdict.HasOpinion, $"{sample.Name} was not detected");
        Assert.Equal(RiskLevel.High, verdict.Risk);
        Assert.Equal($"argument {pointer} looks like {sample.Described}", verdict.Reason);
        Assert.False(Echoes(verdict.Reason!, sample.Secret), $"the reason '{verdict.Reason}' echoes part of the secret");
        return verdict.Reason!;
    }

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void Each_format_is_detected_in_a_top_level_argument(string name)
    {
        var sample = Sample(name);

        AssertRaised(Call(new Dictionary<string, object?> { ["text"] = sample.Text }), sample, "/text");
    }

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void Each_format_is_detected_in_nested_objects(string name)
    {
        var sample = Sample(name);
        var arguments = new JsonObject
        {
            ["url"] = "https://example.com",
            ["request"] = new JsonObject { ["method"] = "POST", ["headers"] = new JsonObject { ["X-Note"] = sample.Text } },
        };

        AssertRaised(Call(arguments), sample, "/request/headers/X-Note");
    }

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void Each_format_is_detected_in_arrays(string name)
    {
        var sample = Sample(name);
        var arguments = new JsonObject
        {
            ["batch"] = new JsonArray("hello", 42, true, null, new JsonObject { ["notes"] = new JsonArray("first", sample.Text) }),
        };

        AssertRaised(Call(arguments), sample, "/batch/4/notes/1");
    }

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void Each_format_is_detected_inside_longer_text(string name)
    {
        var sample = Sample(name);
        var text = "Hi team,\nthe deploy finished at 10:30 and the logs are in /var/log/app. Use this when you log in:\n"
            + sample.Text + "\nThanks, and see the runbook at https://wiki.example.com/runbooks/deploy for details.";

        AssertRaised(Call(new Dictionary<string, object?> { ["body"] = text }), sample, "/body");
    }

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void Each_format_is_detected_when_every_character_is_escaped(string name)
    {
        var sample = Sample(name);
        var escaped = string.Concat(sample.Text.Select(c => $"\\u{(int)c:x4}"));

        AssertRaised(Parsed("{\"text\": \"" + escaped + "\"}"), sample, "/text");
    }

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void Each_format_is_detected_in_server_side_argument_dictionaries(string name)
    {
        var sample = Sample(name);
        var arguments = ToolArguments.FromDictionary(new Dictionary<string, JsonElement>
        {
            ["count"] = JsonSerializer.SerializeToElement(3),
            ["text"] = JsonSerializer.SerializeToElement(sample.Text),
        });

        AssertRaised(new ToolInvocationContext("srv", "tool", arguments), sample, "/text");
    }

    [Fact]
    public void Token_under_an_authorization_header_is_named_as_the_format_it_has()
    {
        var token = "ghp_" + SecretSamples.Random(new Random(1), Alnum, 36);
        var call = Call(new JsonObject { ["headers"] = new JsonObject { ["Authorization"] = "token " + token } });

        var verdict = DefaultRule.Evaluate(call);

        Assert.Equal("argument /headers/Authorization looks like a GitHub token", verdict.Reason);
    }

    [Theory]
    [InlineData("password", "hunter2hunter2")]
    [InlineData("db_password", "Tr0ub4dor!3")]
    [InlineData("clientSecret", "q8Zt5RmX2wLp")]
    [InlineData("X-Api-Key", "a1b2c3d4e5f6g7h8")]
    [InlineData("refresh_token", "1//0gXyZ-abc123DEF456")]
    [InlineData("Authorization", "Basic ZGVwbG95OnMzY3IzdA==")]
    [InlineData("Authorization", "Bearer 9f8e7d6c5b4a3210.abcdEF")]
    public void Value_of_a_secret_named_property_is_a_credential_assignment(string property, string value)
    {
        var verdict = DefaultRule.Evaluate(Call(new JsonObject { ["login"] = new JsonObject { [property] = value } }));

        Assert.Equal($"argument /login/{property} looks like a password or secret assignment", verdict.Reason);
        Assert.False(Echoes(verdict.Reason!, value));
    }

    [Fact]
    public void Aws_secret_under_a_secret_key_property_is_named_as_an_aws_secret()
    {
        var secret = SecretSamples.Random(new Random(2), Base64, 40);

        var verdict = DefaultRule.Evaluate(Call(new Dictionary<string, object?> { ["aws_secret_access_key"] = secret }));

        Assert.Equal("argument /aws_secret_access_key looks like an AWS secret access key", verdict.Reason);
    }

    [Fact]
    public void Secret_in_a_property_name_is_reported_at_the_parent_without_the_name()
    {
        var token = "ghp_" + SecretSamples.Random(new Random(3), Alnum, 36);
        var call = Call(new JsonObject { ["config"] = new JsonObject { ["ok"] = 1, [token] = true } });

        var verdict = DefaultRule.Evaluate(call);

        Assert.Equal("a property name in argument /config looks like a GitHub token", verdict.Reason);
        Assert.False(Echoes(verdict.Reason!, token));
    }

    [Fact]
    public void Secret_as_an_argument_name_is_reported_without_the_name()
    {
        var token = "xoxb-123456789012-1234567890123-" + SecretSamples.Random(new Random(4), Alnum, 24);

        var verdict = DefaultRule.Evaluate(Call(new Dictionary<string, object?> { [token] = "x" }));

        Assert.Equal("an argument name looks like a Slack token", verdict.Reason);
    }

    [Fact]
    public void Pointer_escapes_slash_and_tilde_and_masks_control_characters()
    {
        var call = Call(new JsonObject { ["a/b"] = new JsonObject { ["c~d"] = new JsonObject { ["line\nbreak\u202e"] = Sample("jwt").Text } } });

        var verdict = DefaultRule.Evaluate(call);

        Assert.Equal("argument /a~1b/c~0d/line?break? looks like a JSON Web Token", verdict.Reason);
    }

    [Fact]
    public void Long_names_in_the_pointer_are_cut_short()
    {
        var longName = new string('n', 100);
        var call = Call(new JsonObject { [longName] = Sample("jwt").Text });

        var reason = DefaultRule.Evaluate(call).Reason!;

        Assert.Equal("argument /" + new string('n', 40) + "… looks like a JSON Web Token", reason);
    }

    [Fact]
    public void Known_format_wins_over_the_assignment_it_sits_in()
    {
        var token = "glpat-" + SecretSamples.Random(new Random(5), Base64Url, 20);

        var verdict = DefaultRule.Evaluate(Call(new Dictionary<string, object?> { ["cmd"] = "export GITLAB_TOKEN=" + token }));

        Assert.Equal("argument /cmd looks like a GitLab token", verdict.Reason);
    }

    [Fact]
    public void First_secret_in_document_order_is_the_one_reported()
    {
        var call = Call(new JsonObject { ["first"] = Sample("openssh").Text, ["second"] = Sample("github-classic").Text });

        Assert.Equal("argument /first looks like an OpenSSH private key", DefaultRule.Evaluate(call).Reason);
    }

    [Theory]
    [InlineData(RiskLevel.Medium)]
    [InlineData(RiskLevel.High)]
    [InlineData(RiskLevel.Block)]
    public void Configured_risk_is_the_one_asked_for(RiskLevel risk)
    {
        var rule = Rule(o => o.Risk = risk);

        var verdict = rule.Evaluate(Call(new Dictionary<string, object?> { ["key"] = Sample("pem-rsa").Text }));

        Assert.Equal(risk, verdict.Risk);
    }

    [Fact]
    public void Disabled_detector_does_not_name_its_format()
    {
        var rule = Rule(o => o.Detectors = SecretDetectors.All & ~SecretDetectors.GitHubTokens & ~SecretDetectors.HighEntropyStrings);

        Assert.False(rule.Evaluate(Call(new Dictionary<string, object?> { ["t"] = Sample("github-classic").Text })).HasOpinion);
        Assert.True(rule.Evaluate(Call(new Dictionary<string, object?> { ["t"] = Sample("npm").Text })).HasOpinion);
    }

    [Fact]
    public void Disabled_known_format_may_still_be_caught_as_high_entropy()
    {
        var rule = Rule(o => o.Detectors = SecretDetectors.All & ~SecretDetectors.GitHubTokens);

        var verdict = rule.Evaluate(Call(new Dictionary<string, object?> { ["t"] = Sample("github-classic").Text }));

        Assert.Equal("argument /t looks like a high-entropy secret", verdict.Reason);
    }

    [Fact]
    public void No_detectors_means_no_opinion_even_on_a_private_key()
    {
        var rule = Rule(o => o.Detectors = SecretDetectors.None);

        Assert.Equal(RuleVerdict.NoOpinion, rule.Evaluate(Call(new Dictionary<string, object?> { ["k"] = Sample("pem-rsa").Text })));
    }

    [Fact]
    public void Rule_id_is_secrets()
    {
        Assert.Equal("secrets", DefaultRule.Id);
        Assert.Equal(SecretArgumentsRule.RuleId, DefaultRule.Id);
    }

    [Fact]
    public void Same_call_gets_the_same_verdict_every_time_and_on_every_thread()
    {
        var calls = Samples.Select(s => Call(new Dictionary<string, object?> { ["v"] = s.Text })).ToArray();
        var expected = calls.Select(DefaultRule.Evaluate).ToArray();

        Parallel.For(0, 64, i =>
        {
            for (var k = 0; k < calls.Length; k++)
            {
                var j = (k + i) % calls.Length;
                Assert.Equal(expected[j], DefaultRule.Evaluate(calls[j]));
            }
        });
    }

    [Fact]
    public void Options_changed_after_construction_do_not_change_the_rule()
    {
        var options = new SecretDetectionOptions();
        var rule = new SecretArgumentsRule(Microsoft.Extensions.Options.Options.Create(options));
        options.Detectors = SecretDetectors.None;
        options.Risk = RiskLevel.Block;

        var verdict = rule.Evaluate(Call(new Dictionary<string, object?> { ["k"] = Sample("pem-rsa").Text }));

        Assert.Equal(RiskLevel.High, verdict.Risk);
    }

    [Fact]
    public void Strings_with_invalid_surrogate_escapes_are_scanned_not_rejected()
    {
        var token = Sample("npm").Text;
        var call = Parsed("{\"t\": \"\\ud800 lone \\udc00 " + token + "\"}");

        Assert.Equal("argument /t looks like an npm token", DefaultRule.Evaluate(call).Reason);
    }

    [Fact]
    public void Non_string_values_are_not_secrets()
    {
        var call = Parsed("""{"n": 123456789012345678901234567890, "b": true, "z": null, "a": [1.5e300, false], "o": {}}""");

        Assert.False(DefaultRule.Evaluate(call).HasOpinion);
    }

    [Fact]
    public void Empty_arguments_have_no_opinion()
    {
        Assert.False(DefaultRule.Evaluate(new ToolInvocationContext("srv", "tool")).HasOpinion);
        Assert.False(DefaultRule.Evaluate(Parsed("{}")).HasOpinion);
    }

    [Fact]
    public void Utf8_text_around_a_secret_does_not_hide_it()
    {
        var text = "Schlüssel für das Deployment → " + Sample("anthropic").Text + " ✓ 日本語";

        Assert.Equal("argument /t looks like an Anthropic API key", DefaultRule.Evaluate(Call(new Dictionary<string, object?> { ["t"] = text })).Reason);
        Assert.Equal("argument /t looks like an Anthropic API key", DefaultRule.Evaluate(Parsed("{\"t\": \"" + text + "\"}")).Reason);
    }

    [Fact]
    public void Long_escaped_strings_use_a_pooled_buffer_and_are_still_scanned()
    {
        var text = new StringBuilder().Append('\n', 2000).Append(Sample("stripe-secret").Text).Append('"', 10).ToString();

        Assert.Equal("argument /t looks like a Stripe live key", DefaultRule.Evaluate(Call(new Dictionary<string, object?> { ["t"] = text })).Reason);
    }
}
