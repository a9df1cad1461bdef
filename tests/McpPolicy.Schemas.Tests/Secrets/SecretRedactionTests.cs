using FsCheck;
using FsCheck.Fluent;
using McpPolicy.Schemas.Secrets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static McpPolicy.Schemas.Tests.Secrets.SecretSamples;

namespace McpPolicy.Schemas.Tests.Secrets;

public sealed class SecretRedactionTests
{
    private static readonly ToolInvocationContext Context = new("srv", "tool");

    private static SecretResultRedactor Redactor(Action<SecretRedactionOptions>? configure = null)
    {
        var options = new SecretRedactionOptions();
        configure?.Invoke(options);
        Assert.Empty(options.Validate());
        return new SecretResultRedactor(Options.Create(options));
    }

    private static readonly SecretResultRedactor Everything = Redactor(o => o.Detectors = SecretDetectors.All);

    public static TheoryData<SecretSample> Samples()
    {
        var data = new TheoryData<SecretSample>();
        foreach (var sample in All(new Random(20261121)))
        {
            data.Add(sample);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Every_known_format_is_redacted_without_echoing_it_and_the_surrounding_text_stays(SecretSample sample)
    {
        var text = "Result of the lookup:\n" + sample.Text + "\nEnd of result.";

        Assert.True(Everything.TryRedact(text, Context, out var redacted, out var count));

        Assert.False(Echoes(WithoutMarkers(redacted), sample.Secret), redacted);
        Assert.Contains("[redacted:", redacted, StringComparison.Ordinal);
        Assert.True(count >= 1);
        Assert.StartsWith("Result of the lookup:\n", redacted, StringComparison.Ordinal);
        Assert.EndsWith("\nEnd of result.", redacted, StringComparison.Ordinal);
        Assert.False(Everything.TryRedact(redacted, Context, out _, out _), "redacting again finds nothing");
    }

    [Theory]
    [InlineData("token ghp_", "[redacted:github-token]")]
    [InlineData("AKIA", "[redacted:aws-access-key-id]")]
    public void The_marker_names_the_kind_of_secret(string prefix, string marker)
    {
        var random = new Random(7);
        var secret = prefix.EndsWith("ghp_", StringComparison.Ordinal) ? "ghp_" + SecretSamples.Random(random, Alnum, 36) : "AKIA" + SecretSamples.Random(random, UpperAlnum, 16);
        var text = $"here: {secret}, thanks";

        Assert.True(Everything.TryRedact(text, Context, out var redacted, out var count));
        Assert.Equal($"here: {marker}, thanks", redacted);
        Assert.Equal(1, count);
    }

    [Fact]
    public void Only_the_value_of_an_assignment_or_the_password_of_a_url_is_replaced()
    {
        var password = "Tr0ub4dor!xQ7";
        Assert.True(Everything.TryRedact($"DB_PASSWORD={password} PORT=5432", Context, out var env, out _));
        Assert.Equal("DB_PASSWORD=[redacted:credential] PORT=5432", env);

        Assert.True(Everything.TryRedact($"password: {password}", Context, out var yaml, out _));
        Assert.Equal("password: [redacted:credential]", yaml);

        Assert.True(Everything.TryRedact($"connect to postgres://admin:{password}@db.internal:5432/app now", Context, out var url, out _));
        Assert.Equal("connect to postgres://admin:[redacted:url-password]@db.internal:5432/app now", url);
    }

    [Fact]
    public void An_assignment_that_looks_like_a_value_does_not_hide_the_real_value_after_it()
    {
        // Found by the property below: "token: Authorization:" is itself an assignment; redacting only "Authorization:" used to
        // destroy the context the second scan needed, and the Basic credential was passed on.
        var basic = Convert.ToBase64String("deploy:T06ZHUTB6qwq"u8.ToArray());

        Assert.True(Everything.TryRedact($"the token: Authorization: Basic {basic}: ", Context, out var redacted, out _));
        Assert.False(Echoes(WithoutMarkers(redacted), basic), redacted);
        Assert.Contains("Basic [redacted:credential]", redacted, StringComparison.Ordinal);
    }

    [Fact]
    public void Several_secrets_in_one_text_are_each_redacted_and_counted()
    {
        var random = new Random(3);
        var github = "ghp_" + SecretSamples.Random(random, Alnum, 36);
        var npm = "npm_" + SecretSamples.Random(random, Alnum, 36);

        Assert.True(Everything.TryRedact($"a {github} b {npm} c", Context, out var redacted, out var count));
        Assert.Equal("a [redacted:github-token] b [redacted:npm-token] c", redacted);
        Assert.Equal(2, count);
    }

    [Theory]
    [InlineData("")]
    [InlineData("The weather is sunny; see https://example.com/a?b=c for more.")]
    [InlineData("commit 3f786850e387550fdab836ed7e6dc881de23001b, id 123e4567-e89b-12d3-a456-426614174000")]
    [InlineData("password: changeme, token = ${TOKEN}, api_key: <your-key>")]
    public void Text_without_secrets_is_not_redacted(string text)
    {
        Assert.False(Everything.TryRedact(text, Context, out _, out var count));
        Assert.Equal(0, count);
    }

    [Fact]
    public void Scanning_text_without_secrets_allocates_nothing()
    {
        var text = "The weather is sunny; see https://example.com/a?b=c for more. password: changeme. caf\u00e9 \u65e5\u672c";
        Assert.False(Everything.TryRedact(text, Context, out _, out _));

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            Everything.TryRedact(text, Context, out _, out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Random_looking_identifiers_survive_by_default_and_are_redacted_when_entropy_detection_is_chosen()
    {
        var id = RandomKey(new Random(11), 40);
        Assert.False(Redactor().TryRedact($"record {id}", Context, out _, out _));
        Assert.True(Everything.TryRedact($"record {id}", Context, out var redacted, out _));
        Assert.Equal("record [redacted:high-entropy]", redacted);
    }

    private static readonly SecretArgumentsRule ArgumentRule = Rule();

    /// <summary>
    /// Whatever surrounds a secret, the redactor either removes it completely or finds nothing, exactly when the argument detector
    /// (the same scanner) finds nothing either: some contexts hide a format from both, such as an assignment that swallows the next one.
    /// </summary>
    [Fact]
    public void A_secret_planted_anywhere_in_any_text_is_never_echoed()
    {
        var words = new[]
        {
            "the", "result", "is", ":", "=", "\"", "{", "}", "\n", "ok", "token", "key", "https://example.com/x", "-----", ",", "password:",
            "Authorization:", "Bearer", "Basic", "secret=", "user@", "://", "&", "?", "-----END PRIVATE KEY-----", "'",
        };
        var gen =
            from seed in Gen.Choose(0, int.MaxValue - 1)
            from pick in Gen.Choose(0, 1000)
            from before in Gen.Elements(words).ArrayOf()
            from after in Gen.Elements(words).ArrayOf()
            from glue in Gen.Elements(" ", "\n", "\" ", ": ", " = ")
            let samples = All(new Random(seed))
            let sample = samples[pick % samples.Count]
            select (Sample: sample, Text: string.Join(' ', before) + glue + sample.Text + glue + string.Join(' ', after));
        Check.One(
            Config.QuickThrowOnFailure.WithMaxTest(1000),
            Prop.ForAll(gen.ToArbitrary(), c => Everything.TryRedact(c.Text, Context, out var redacted, out _)
                ? !Echoes(WithoutMarkers(redacted), c.Sample.Secret)
                : !ArgumentRule.Evaluate(Call(new Dictionary<string, object?> { ["v"] = c.Text })).HasOpinion));
    }

    /// <summary>The text without its redaction markers, whose kind names ("github-token") share letters with the secrets' prefixes.</summary>
    private static string WithoutMarkers(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\[redacted:[a-z0-9-]+\]", "#", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1));

    [Fact]
    public void AddSecretRedaction_registers_one_redactor_for_result_inspection()
    {
        var services = new ServiceCollection();
        services.AddMcpPolicy(_ => { }).AddSecretRedaction().AddSecretRedaction(o => o.Detectors = SecretDetectors.GitHubTokens);
        using var provider = services.BuildServiceProvider();

        var redactor = Assert.Single(provider.GetServices<IResultRedactor>());
        Assert.IsType<SecretResultRedactor>(redactor);
        Assert.Equal(SecretDetectors.GitHubTokens, provider.GetRequiredService<IOptions<SecretRedactionOptions>>().Value.Detectors);
    }

    [Fact]
    public void Invalid_options_fail_at_start_up_naming_the_setting()
    {
        var services = new ServiceCollection();
        services.AddMcpPolicy(_ => { }).AddSecretRedaction(o =>
        {
            o.EntropyThreshold = 9;
            o.Detectors = (SecretDetectors)(1 << 20);
        });
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<SecretRedactionOptions>>().Value);
        Assert.Contains(nameof(SecretRedactionOptions.EntropyThreshold), error.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(SecretRedactionOptions.Detectors), error.Message, StringComparison.Ordinal);
    }
}
