using FsCheck;
using FsCheck.Fluent;
using McpPolicy.Tests.TestSupport;

namespace McpPolicy.Schemas.Tests.Secrets;

/// <summary>
/// <see cref="SecretDetectionOptions.AllowedArguments"/> keys are read by Core's <see cref="ToolPattern"/> with
/// <see cref="ToolPatternOptions.RequireSingleSlash"/>; this holds it to the semantics of the Schemas-only pattern it replaced.
/// </summary>
public sealed class ToolPatternReferenceTests
{
    private const ToolPatternOptions Strict = ToolPatternOptions.RequireSingleSlash;

    [Theory]
    [InlineData("a/b", true)]
    [InlineData("a/b/c", false)]
    [InlineData("a//b", false)]
    [InlineData("/b", false)]
    [InlineData("a/", false)]
    [InlineData("a", false)]
    [InlineData("", false)]
    [InlineData("*", false)]
    [InlineData("*/*", true)]
    [InlineData("**/x", false)]
    [InlineData("x/a**", false)]
    [InlineData(" a / b ", true)]
    [InlineData("\u00e9/\U0001F600*", true)]
    public void Core_strict_patterns_accept_what_the_old_secrets_pattern_accepted(string text, bool valid)
    {
        Assert.Equal(valid, OldSecretsToolPattern.TryParse(text, out _));
        Assert.Equal(valid, ToolPattern.TryParse(text, Strict, out _, out _));
        Assert.Equal(valid, !new SecretDetectionOptions { AllowedArguments = { [text] = ["/value"] } }.Validate().Any(e => e.StartsWith("AllowedArguments: ", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_pattern_with_two_slashes_is_rejected_naming_it_and_how_to_fix_it()
    {
        var errors = new SecretDetectionOptions { AllowedArguments = { ["vault/kv/set"] = ["/value"] } }.Validate();

        Assert.Equal(
            "AllowedArguments: 'vault/kv/set' has more than one '/'; write it as \"server/tool\" with exactly one '/' here, and put '*' where a tool name has a '/' (\"vault/kv*set\").",
            Assert.Single(errors));
    }

    [Fact]
    public void Core_strict_patterns_agree_with_the_old_secrets_pattern_on_generated_patterns_and_names()
    {
        var accepted = 0;
        var matched = 0;
        Check.One(
            Config.QuickThrowOnFailure.WithMaxTest(5000),
            Prop.ForAll(PatternCases.All.ToArbitrary(), c =>
            {
                var oldValid = OldSecretsToolPattern.TryParse(c.Text, out var old);
                var newValid = ToolPattern.TryParse(c.Text, Strict, out var pattern, out var error);
                if (oldValid != newValid || newValid != (error is null))
                {
                    return false;
                }

                if (!newValid)
                {
                    return true;
                }

                accepted++;
                var matches = pattern!.Matches(c.Server, c.Tool);
                matched += matches ? 1 : 0;
                return matches == old!.Matches(c.Server, c.Tool);
            }));

        // The run must have exercised accepted patterns and real matches, or it proves nothing.
        Assert.True(accepted > 300 && matched > 60, $"{accepted} patterns were accepted and {matched} calls matched");
    }

    /// <summary>Generated patterns over a small alphabet (so that slashes, stars and letters collide), with calls that mostly nearly match.</summary>
    internal static class PatternCases
    {
        public static readonly Gen<(string Text, string Server, string Tool)> All =
            from length in Gen.Choose(0, 8)
            from chars in Gen.Elements('a', 'b', 'A', '*', '*', '/', '/', ' ', '\u00e9').ArrayOf(length)
            let text = new string(chars)
            from call in ToolPatternCalls.For(text)
            select (text, call.Server, call.Tool);
    }

    /// <summary>
    /// The reference: McpPolicy.Schemas.Secrets.ToolPattern as it was before it was folded into Core, kept verbatim in behaviour.
    /// Exactly one '/', with a non-empty server before it and a non-empty tool after it; no "**"; nothing trimmed; '*' matches any
    /// run of characters (including '/') within its segment; characters compare ordinally.
    /// </summary>
    private sealed class OldSecretsToolPattern
    {
        private readonly string _server;
        private readonly string _tool;

        private OldSecretsToolPattern(string server, string tool)
        {
            _server = server;
            _tool = tool;
        }

        public static bool TryParse(string? text, out OldSecretsToolPattern? pattern)
        {
            pattern = null;
            var slash = text is null ? -1 : text.IndexOf('/', StringComparison.Ordinal);
            if (text is null || slash <= 0 || slash == text.Length - 1 || text.IndexOf('/', slash + 1) >= 0 || text.Contains("**", StringComparison.Ordinal))
            {
                return false;
            }

            pattern = new OldSecretsToolPattern(text[..slash], text[(slash + 1)..]);
            return true;
        }

        public bool Matches(string server, string tool) => Wildcard(_server, server) && Wildcard(_tool, tool);

        private static bool Wildcard(string pattern, string text)
        {
            int p = 0, t = 0, star = -1, mark = 0;
            while (t < text.Length)
            {
                if (p < pattern.Length && pattern[p] != '*' && pattern[p] == text[t])
                {
                    p++;
                    t++;
                }
                else if (p < pattern.Length && pattern[p] == '*')
                {
                    star = p++;
                    mark = t;
                }
                else if (star >= 0)
                {
                    p = star + 1;
                    t = ++mark;
                }
                else
                {
                    return false;
                }
            }

            while (p < pattern.Length && pattern[p] == '*')
            {
                p++;
            }

            return p == pattern.Length;
        }
    }
}
