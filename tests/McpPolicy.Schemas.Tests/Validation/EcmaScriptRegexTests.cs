using McpPolicy.Schemas.Validation;

namespace McpPolicy.Schemas.Tests.Validation;

public sealed class EcmaScriptRegexTests
{
    [Theory]
    [InlineData("^\\d+$", "123", true)]
    [InlineData("^\\d+$", "\u0663", false)]
    [InlineData("^\\w+$", "abc_9", true)]
    [InlineData("^\\w+$", "é", false)]
    [InlineData("^\\s$", "\uFEFF", true)]
    [InlineData("^a$", "a\n", false)]
    [InlineData("^.$", "\n", false)]
    [InlineData("^.$", "\U0001F432", true)]
    [InlineData("^..$", "\U0001F432", false)]
    [InlineData("^[^a]$", "\U0001F432", true)]
    [InlineData("^[\U0001F600-\U0001F64F]+$", "\U0001F60A\U0001F600", true)]
    [InlineData("^[\U0001F600-\U0001F64F]+$", "\U0001F680", false)]
    [InlineData("^\\u{1F600}$", "\U0001F600", true)]
    [InlineData("^\\p{L}+$", "πλ", true)]
    [InlineData("^\\p{Letter}+$", "123", false)]
    [InlineData("^\\P{L}+$", "123", true)]
    [InlineData("^(a)\\1$", "aa", true)]
    [InlineData("^(?<x>a)\\k<x>$", "aa", true)]
    [InlineData("^(?!b)", "a", true)]
    [InlineData("^[]$", "", false)]
    [InlineData("^[^]$", "x", true)]
    [InlineData("a{2}", "aa", true)]
    [InlineData("a{", "a{", true)]
    [InlineData("^\\-\\@$", "-@", true)]
    [InlineData("^[\\d-z]+$", "1-z", true)]
    [InlineData("^[a-z-[b]]+$", "b]", true)]
    public void Patterns_follow_ecmascript_semantics(string pattern, string input, bool matches)
    {
        var regex = SchemaRegex.Create(pattern, TimeSpan.FromSeconds(5));

        Assert.Equal(matches ? RegexOutcome.Match : RegexOutcome.NoMatch, regex.Match(input));
    }

    [Theory]
    [InlineData("\\Z")]
    [InlineData("(?i)abc")]
    [InlineData("(?P<name>a)")]
    [InlineData("(a")]
    [InlineData("a)")]
    [InlineData("[a")]
    [InlineData("\\p{Script=Greek}")]
    public void Patterns_that_are_not_ecmascript_are_refused(string pattern)
    {
        Assert.Throws<FormatException>(() => EcmaScriptRegex.Translate(pattern, out _));
    }

    [Fact]
    public void An_invalid_pattern_is_a_compile_error_naming_its_location()
    {
        var error = Assert.Throws<InvalidSchemaException>(() => Json.Validator("""{"properties":{"a":{"pattern":"(?i)x"}}}"""));

        Assert.Equal("#/properties/a/pattern", error.SchemaLocation);
    }

    [Fact]
    public void Only_lookaround_and_backreferences_use_the_backtracking_engine()
    {
        Assert.False(SchemaRegex.Create("^(a+)+$", TimeSpan.FromSeconds(1)).UsesBacktracking);
        Assert.True(SchemaRegex.Create("^(?=a)", TimeSpan.FromSeconds(1)).UsesBacktracking);
        Assert.True(SchemaRegex.Create("(a)\\1", TimeSpan.FromSeconds(1)).UsesBacktracking);
    }
}
