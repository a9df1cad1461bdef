using FsCheck;
using FsCheck.Fluent;
using McpPolicy.Tests.TestSupport;

namespace McpPolicy.Core.Tests.Configuration;

/// <summary><see cref="ToolPattern"/>: the policy syntax and the <see cref="ToolPatternOptions.RequireSingleSlash"/> syntax.</summary>
public sealed class ToolPatternTests
{
    private const ToolPatternOptions Strict = ToolPatternOptions.RequireSingleSlash;

    // (pattern, valid as a policy match, valid with RequireSingleSlash). Nothing is trimmed or normalised.
    public static TheoryData<string, bool, bool> Adversarial => new()
    {
        { "a/b", true, true },
        { "a/b/c", true, false },
        { "/b", false, false },
        { "a/", false, false },
        { "a//b", true, false },
        { "a/b/", true, false },
        { "a/*/", true, false },
        { "*/a/*", true, false },
        { "/", false, false },
        { "//", false, false },
        { "///", false, false },
        { "/a/b", false, false },
        { "a", false, false },
        { "", false, false },
        { "*", false, false },
        { "*/*", true, true },
        { "**/x", false, false },
        { "x/**", false, false },
        { "a/**/b", false, false },
        { "a/b**", false, false },
        { "***/*", false, false },
        { "fs/read_*", true, true },
        { "*/delete_*", true, true },
        { " a/b ", true, true },
        { " / ", true, true },
        { "\t/\n", true, true },
        { "\u00e9/\u00fc", true, true },
        { "\u65e5\u672c/\u8a9e*", true, true },
        { "\U0001F600/x", true, true },
        { "a/b\u2215c", true, true },
        { "a\uFF0Fb", false, false },
        { "a\\/b", true, true },
        { "a\\/b/c", true, false },
        { "a/b\0/c", true, false },
    };

    [Theory]
    [MemberData(nameof(Adversarial))]
    public void Adversarial_patterns_are_accepted_or_rejected_as_each_syntax_says(string text, bool policyValid, bool strictValid)
    {
        Assert.Equal(policyValid, ToolPattern.TryParse(text, out var policy, out var policyError));
        Assert.Equal(policyValid, ToolPattern.TryParse(text, ToolPatternOptions.None, out _, out _));
        Assert.Equal(strictValid, ToolPattern.TryParse(text, Strict, out var strict, out var strictError));

        Assert.Equal(policyValid, policy is not null);
        Assert.Equal(policyValid, policyError is null);
        Assert.Equal(strictValid, strict is not null);
        Assert.Equal(strictValid, strictError is null);
        if (strict is not null)
        {
            Assert.Equal(text, strict.Text);
        }
    }

    [Theory]
    [InlineData("web/a/b", "web/a*b")]
    [InlineData("a//b", "a/*b")]
    [InlineData("a/b//c/", "a/b*c*")]
    [InlineData("*/x/*", "*/x*")]
    [InlineData("s/a/*/b", "s/a*b")]
    [InlineData("**/x/y", "*/x*y")]
    [InlineData("a**b/c**/d", "a*b/c*d")]
    public void A_second_slash_is_rejected_naming_the_pattern_and_suggesting_a_single_slash_form(string text, string suggestion)
    {
        Assert.False(ToolPattern.TryParse(text, Strict, out var pattern, out var error));

        Assert.Null(pattern);
        Assert.Equal($"'{text}' has more than one '/'; write it as \"server/tool\" with exactly one '/' here, and put '*' where a tool name has a '/' (\"{suggestion}\")", error);
        Assert.True(ToolPattern.TryParse(suggestion, Strict, out _, out _));
    }

    [Theory]
    [InlineData("web", "'web' is not a server/tool pattern")]
    [InlineData("/tool", "'/tool' is not a server/tool pattern")]
    [InlineData("/a/b", "'/a/b' is not a server/tool pattern")]
    [InlineData("a/", "'a/' is not a server/tool pattern")]
    [InlineData("a**/b", "'a**/b' contains '**'")]
    [InlineData("", "the pattern is empty; write a server/tool pattern")]
    public void Other_errors_are_the_same_in_both_syntaxes(string text, string expected)
    {
        Assert.False(ToolPattern.TryParse(text, out _, out var policyError));
        Assert.False(ToolPattern.TryParse(text, Strict, out _, out var strictError));

        Assert.StartsWith(expected, policyError, StringComparison.Ordinal);
        Assert.Equal(policyError, strictError);
    }

    [Fact]
    public void Null_text_is_an_error_not_an_exception_for_TryParse()
    {
        Assert.False(ToolPattern.TryParse(null, Strict, out var pattern, out var error));

        Assert.Null(pattern);
        Assert.StartsWith("the pattern is empty", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_returns_the_pattern_or_throws_a_FormatException_with_the_error()
    {
        Assert.Equal("fs/read_*", ToolPattern.Parse("fs/read_*", Strict).Text);
        Assert.Equal("web/a/b", ToolPattern.Parse("web/a/b").Text);

        var error = Assert.Throws<FormatException>(() => ToolPattern.Parse("web/a/b", Strict));
        Assert.StartsWith("'web/a/b' has more than one '/'", error.Message, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => ToolPattern.Parse("web"));
        Assert.Throws<ArgumentNullException>(() => ToolPattern.Parse(null!, Strict));
        Assert.Throws<ArgumentNullException>(() => ToolPattern.Parse(null!));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(-1)]
    public void Unknown_option_flags_are_a_programming_error(int flags)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ToolPattern.TryParse("a/b", (ToolPatternOptions)flags, out _, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => ToolPattern.Parse("a/b", (ToolPatternOptions)flags));
    }

    [Theory]
    [InlineData("fs/*", "fs", "dir/list", true)]
    [InlineData("web/a*b", "web", "a/b", true)]
    [InlineData("web/a*b", "web", "a/c/b", true)]
    [InlineData("web/a*b", "web/a", "b", false)]
    [InlineData("*/b", "x/y", "b", true)]
    [InlineData("fs/Read", "fs", "read", false)]
    [InlineData("FS/read", "fs", "read", false)]
    [InlineData(" a/b", "a", "b", false)]
    [InlineData(" a/b", " a", "b", true)]
    [InlineData("a/b ", "a", "b", false)]
    [InlineData("\u00e9/x", "e\u0301", "x", false)]
    [InlineData("\u00e9/x", "\u00e9", "x", true)]
    [InlineData("a/b\u2215c", "a", "b/c", false)]
    [InlineData("*/*", "", "", true)]
    [InlineData("a*a/x", "a", "x", false)]
    [InlineData("a*a/x", "aa", "x", true)]
    [InlineData("*a*b*/x", "ba", "x", false)]
    [InlineData("*a*b*/x", "xaybz", "x", true)]
    public void Strict_patterns_match_as_policy_globs_do(string text, string server, string tool, bool expected)
    {
        var strict = ToolPattern.Parse(text, Strict);

        Assert.Equal(expected, strict.Matches(server, tool));
        Assert.Equal(expected, ToolPattern.Parse(text).Matches(server, tool));
    }

    [Fact]
    public void Policy_syntax_reads_a_second_slash_as_part_of_the_tool_name()
    {
        var pattern = ToolPattern.Parse("web/a/b");

        Assert.True(pattern.Matches("web", "a/b"));
        Assert.False(pattern.Matches("web/a", "b"));
        Assert.True(pattern.IsExact);
    }

    [Theory]
    [InlineData("fs/read_*", false, 8)]
    [InlineData("fs/read", true, 7)]
    [InlineData("*/*", false, 1)]
    public void Specificity_counts_literal_characters_including_the_slash(string text, bool exact, int literal)
    {
        var pattern = ToolPattern.Parse(text, Strict);

        Assert.Equal(exact, pattern.IsExact);
        Assert.Equal(literal, pattern.LiteralLength);
        Assert.Equal(text, pattern.ToString());
    }

    private static readonly Gen<string> Pattern =
        from length in Gen.Choose(0, 8)
        from chars in Gen.Elements('a', 'b', 'A', '*', '/', '/', ' ', '\u00e9').ArrayOf(length)
        select new string(chars);

    [Fact]
    public void Strict_accepts_exactly_the_policy_patterns_with_one_slash_and_matches_them_identically()
    {
        var accepted = 0;
        var matched = 0;
        var gen = from text in Pattern
                  from call in ToolPatternCalls.For(text)
                  select (text, server: call.Server, tool: call.Tool);
        Check.One(
            Config.QuickThrowOnFailure.WithMaxTest(3000),
            Prop.ForAll(gen.ToArbitrary(), c =>
            {
                var policyValid = ToolPattern.TryParse(c.text, out var policy, out _);
                var strictValid = ToolPattern.TryParse(c.text, Strict, out var strict, out _);
                if (strictValid != (policyValid && c.text.Count(ch => ch == '/') == 1))
                {
                    return false;
                }

                if (!strictValid)
                {
                    return true;
                }

                accepted++;
                var matches = strict!.Matches(c.server, c.tool);
                matched += matches ? 1 : 0;
                return matches == policy!.Matches(c.server, c.tool) && strict.LiteralLength == policy.LiteralLength && strict.IsExact == policy.IsExact;
            }));

        // The property must have exercised both accepted patterns and actual matches.
        Assert.True(accepted > 100, $"only {accepted} patterns were accepted");
        Assert.True(matched > 10, $"only {matched} calls matched");
    }
}
