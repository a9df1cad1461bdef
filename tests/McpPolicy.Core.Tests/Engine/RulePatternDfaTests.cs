using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using FsCheck;
using FsCheck.Fluent;
using McpPolicy.Engine;

namespace McpPolicy.Core.Tests.Engine;

/// <summary>
/// The DFA that replaces the Regex for simple rule patterns must give exactly the Regex's verdict (NonBacktracking,
/// CultureInvariant: .NET semantics), on the raw UTF-8 of a JSON string and on decoded text, and must leave everything
/// outside its subset to the Regex.
/// </summary>
public sealed class RulePatternDfaTests
{
    private const RegexOptions Options = RegexOptions.NonBacktracking | RegexOptions.CultureInvariant;

    // Characters the inputs are drawn from besides the pattern's own: separators, '\n', non-ASCII BMP and astral characters.
    private static readonly string[] InputPieces =
        ["a", "b", "c", "d", "A", "Z", " ", "-", "/", ".", "\n", "\t", "]", "\\", "$", "^", "é", "中", "😀", "\u001B", "_", "0", "é", "中", "😀", "😀"];

    public static TheoryData<string, string> Adversarial => new()
    {
        { "$", "" },
        { "a$", "a" },
        { "a$", "a\n" },
        { "a$", "a\n\n" },
        { "a$", "\n" },
        { "a\\z", "a\n" },
        { "a\\Z", "a\n" },
        { "a\\Z", "a\n\n" },
        { "a$\\n", "a\n" },
        { "a$\\n$", "a\n" },
        { "a\\n$", "a\n" },
        { "a\\n$", "a\n\n" },
        { "^$", "" },
        { "^$", "\n" },
        { "^$", "\n\n" },
        { "^\\n$", "\n" },
        { "^\\n\\z", "\n" },
        { "$^", "" },
        { "$^", "\n" },
        { "", "" },
        { "", "x" },
        { "a{0}", "" },
        { "a{0}", "b" },
        { "^a{0,0}$", "" },
        { "^a{0,0}$", "a" },
        { "^(a+)+$", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaab" },
        { "^(a+)+$", "aaaa" },
        { "a|", "zzz" },
        { "|a", "" },
        { "^()$", "" },
        { "^(?:()|a)$", "a" },
        { "^((a|(b(c)?))*)$", "abcbbca" },
        { "^((a|(b(c)?))*)$", "abcbbcad" },
        { "^.$", "😀" },
        { "^..$", "😀" },
        { "^.$", "é" },
        { "^.$", "中" },
        { "^...$", "a😀" },
        { "^[^a]$", "é" },
        { "^[^a]$", "\n" },
        { "^.$", "\n" },
        { "(^a|b$)", "ab" },
        { "(^a|b$)", "ba" },
        { "(^a|b$)", "cb\n" },
        { "x(^a|b$)", "xa" },
        { "x(^|$)", "x" },
        { "a^b", "ab" },
        { "(a|^)b", "b" },
        { "(a|^)b", "cb" },
        { "^[--/]+$", "-./" },
        { "^[--/]+$", "-,/" },
        { "^[a-]+$", "a-" },
        { "^[a-]+$", "a-b" },
        { "^[-a]+$", "-a" },
        { "^[a\\-z]+$", "-az" },
        { "^[a\\-z]+$", "b" },
        { "^[\\]a]+$", "]a" },
        { "^\\.\\-\\/\\\\\\[$", ".-/\\[" },
        { "^\\x41\\u0062$", "Ab" },
        { "^\\t\\r\\f\\v\\e\\a$", "\t\r\f\v\u001B\u0007" },
        { "^[A-Z ]+$", "HELLO FROM THE BENCHMARK" },
        { "^[A-Z ]+$", "hello from the benchmark" },
        { "^[A-Z ]+$", "HELLO\n" },
        { "^[A-Z ]+$", "HELLO\n\n" },
        { "^[A-Z ]+$", "HÉLLO" },
        { "rm -rf", "please rm -rf / now" },
        { "a*?b+?c??d{1,2}?", "xxbd" },
        { "^a{2,}$", "a" },
        { "^a{2,}$", "aaaa" },
        { "^(ab){1,3}$", "abababab" },
        { "^(ab){1,3}$", "ababab" },
        { "\\Aa\\z", "a" },
        { "#", "#" },
        { "^ $", " " },
    };

    // Outside the subset (or refused by .NET): must never be compiled to the DFA.
    public static TheoryData<string> OutsideTheSubset => new()
    {
        "\\d+", "\\w", "\\s", "\\D", "\\W", "\\S", "(?i)abc", "a(?i:b)", "[a-z-[aeiou]]", "\\p{L}", "\\P{L}", "a(?=b)", "a(?!b)", "(?<=a)b",
        "(?<!a)b", "(a)\\1", "(?<n>a)\\k<n>", "(?<n>a)", "(?'n'a)", "(?>a)", "(?#comment)a", "é", "\\u00e9", "\\x80", "\\b", "\\B", "a\\b",
        "[\\b]", "[\\d]", "[\\w]", "\\G", "\\0", "\\01", "\\cA", "\\_", "a\\", "[a", "[]a]", "[^]a]", "[]", "[z-a]", "[a--]", "[a-z-0]",
        "[[]", "[[:alpha:]]", "a{", "a{1", "a{1,", "a{,3}", "a{3,1}", "{1}", "*a", "a**", "a*+", "a{1}{2}", "(", ")", "(a", "a)", "a]", "}",
        "^*", "$+", "\\A?", "\\x4", "\\u004", "\\xGG", "a{1001}", "a{257}", "a{1,1000}", "(?:", "(?", "(?=", "\ta", "a\u0000",
        "\\N", "\\R", "\\X", "\\K", "\\Q.\\E", "\\1",
    };

    [Theory]
    [MemberData(nameof(Adversarial))]
    public void Adversarial_patterns_get_the_regex_verdict_on_text_and_utf8(string pattern, string input)
    {
        var dfa = RulePatternDfa.TryCompile(pattern);
        Assert.NotNull(dfa);
        AssertSameVerdict(pattern, dfa, input);
    }

    [Fact]
    public void Adversarial_verdicts_are_the_ones_dotnet_documents()
    {
        // Spelled out, so a wrong expectation about .NET itself would show up here too.
        Assert.True(Match("a$", "a\n"));
        Assert.False(Match("a$", "a\n\n"));
        Assert.False(Match("a\\z", "a\n"));
        Assert.True(Match("^$", "\n"));
        Assert.False(Match("^.$", "😀"));
        Assert.True(Match("^..$", "😀"));
        Assert.True(Match("^[^a]$", "é"));
        Assert.True(Match("^[^a]$", "\n"));
        Assert.False(Match("^.$", "\n"));
        Assert.True(Match("^[--/]+$", "-./"));
        Assert.False(Match("^[A-Z ]+$", "hello from the benchmark"));
        Assert.True(Match("^[A-Z ]+$", "HELLO\n"));
        Assert.True(Match("|a", "zzz"));

        static bool Match(string pattern, string input)
        {
            var dfa = RulePatternDfa.TryCompile(pattern)!;
            Assert.True(dfa.TryMatch(Encoding.UTF8.GetBytes(input), out var onBytes));
            Assert.Equal(onBytes, dfa.IsMatch(input));
            return onBytes;
        }
    }

    [Theory]
    [MemberData(nameof(OutsideTheSubset))]
    public void Patterns_outside_the_subset_are_left_to_the_regex(string pattern)
    {
        Assert.Null(RulePatternDfa.TryCompile(pattern));
    }

    [Theory]
    [InlineData("\\d+", "123")]
    [InlineData("(?i)abc", "ABC")]
    [InlineData("\\p{L}", "é")]
    [InlineData("\\u00e9", "é")]
    [InlineData("[]a]", "]")]
    public void A_condition_whose_pattern_is_outside_the_subset_still_matches_with_the_regex(string pattern, string input)
    {
        var condition = Compile(pattern);

        Assert.False(condition.MatchesPatternWithDfa);
        Assert.Equal(Tri.True, condition.Evaluate(RawJsonString(input)));
        Assert.Equal(Tri.False, condition.Evaluate(RawJsonString("~")));
    }

    [Theory]
    [InlineData("(a|b)*a(a|b){30}")]
    [InlineData("(a{1,200}){1,6}")]
    [InlineData("(((a{10}){10}){10})")]
    [InlineData("(a|b|c|d)*a(a|b|c|d){12}")]
    public void Patterns_over_a_size_cap_are_left_to_the_regex(string pattern)
    {
        Assert.Null(RulePatternDfa.TryCompile(pattern));
        Assert.False(Compile(pattern).MatchesPatternWithDfa);
    }

    [Fact]
    public void Patterns_under_the_caps_compile_and_stay_within_them()
    {
        var dfa = RulePatternDfa.TryCompile("(a|b)*a(a|b){6}");

        Assert.NotNull(dfa);
        Assert.InRange(dfa.StateCount, 2, RulePatternDfa.MaxStates);
        Assert.NotNull(RulePatternDfa.TryCompile("^a{1,100}$"));
    }

    [Theory]
    [InlineData("b", 1)]
    [InlineData("^[A-Z ]+$", 1)]
    [InlineData("^a{3}$", 0)]
    public void States_that_stay_put_on_many_symbols_skip_ahead(string pattern, int skipping)
    {
        Assert.Equal(skipping, RulePatternDfa.TryCompile(pattern)!.SkippingStateCount);
    }

    [Theory]
    [InlineData(new byte[] { 0xC3 })]
    [InlineData(new byte[] { 0x61, 0xE4, 0xB8 })]
    [InlineData(new byte[] { 0xF0, 0x9F, 0x98 })]
    [InlineData(new byte[] { 0x80 })]
    [InlineData(new byte[] { 0xC0, 0x80 })]
    [InlineData(new byte[] { 0xC3, 0x41 })]
    [InlineData(new byte[] { 0xF5, 0x80, 0x80, 0x80 })]
    [InlineData(new byte[] { 0xE4, 0xB8, 0x0A })]
    public void Malformed_utf8_is_refused_so_the_caller_decides_with_the_regex(byte[] bytes)
    {
        // No state of this pattern skips ahead, so every byte is read and checked.
        var dfa = RulePatternDfa.TryCompile("^.{0,6}$")!;

        Assert.False(dfa.TryMatch(bytes, out _));

        // Where a state skips ahead, a malformed stretch it skips gets the verdict of the decoding path (U+FFFD is "other" too).
        foreach (var pattern in new[] { "z", "a", "^[^z]*$", "^[A-Z ]+$", "^a[^b]*b", "[^a]", "^[a-z]*" })
        {
            var skipping = RulePatternDfa.TryCompile(pattern)!;
            if (skipping.TryMatch(bytes, out var isMatch))
            {
                Assert.True(new Regex(pattern, Options).IsMatch(Encoding.UTF8.GetString(bytes)) == isMatch, pattern);
            }
        }
    }

    [Fact]
    public void A_sequence_cut_by_the_end_of_the_span_is_refused_without_reading_past_it()
    {
        var dfa = RulePatternDfa.TryCompile("^a.$")!;
        var whole = "a中"u8.ToArray();

        Assert.True(dfa.TryMatch(whole, out var matched));
        Assert.True(matched);
        Assert.False(dfa.TryMatch(whole.AsSpan(0, 3), out _));
        Assert.False(dfa.TryMatch(whole.AsSpan(0, 2), out _));
    }

    [Theory]
    [InlineData("^[A-Z ]+$", "HELLO FROM THE BENCHMARK", true)]
    [InlineData("^[A-Z ]+$", "hello from the benchmark", false)]
    [InlineData("^[A-Z ]+$", "HELLO\n", true)]
    [InlineData("^.$", "😀", false)]
    [InlineData("^..$", "😀", true)]
    public void A_condition_matches_with_the_dfa_on_raw_and_escaped_strings(string pattern, string input, bool expected)
    {
        var condition = Compile(pattern);
        var verdict = expected ? Tri.True : Tri.False;

        Assert.True(condition.MatchesPatternWithDfa);
        Assert.Equal(verdict, condition.Evaluate(RawJsonString(input)));
        Assert.Equal(verdict, condition.Evaluate(JsonSerializer.SerializeToElement(input)));
        Assert.Equal(Tri.Unknown, condition.Evaluate(JsonSerializer.SerializeToElement(42)));
    }

    [Fact]
    public void Generated_patterns_get_the_regex_verdict_on_generated_inputs()
    {
        var compiled = 0;
        var refused = 0;
        Check.One(
            Config.QuickThrowOnFailure.WithMaxTest(5000),
            Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), seed =>
            {
                var random = new Random(seed);
                var pattern = RandomPattern(random, 0);

                // Anchored at both ends half the time, so the verdict depends on every character (and on how they are counted).
                pattern = random.Next(4) switch
                {
                    0 => "^(?:" + pattern + ")$",
                    1 => "\\A(?:" + pattern + ")\\z",
                    _ => pattern,
                };
                var dfa = RulePatternDfa.TryCompile(pattern);
                var condition = Compile(pattern);

                // A pattern of the subset whose automaton outgrows the caps stays with the Regex (the condition's own path, with its
                // match timeout, which a loaded machine can reach: not compared here).
                Assert.True(condition.MatchesPatternWithDfa == dfa is not null, pattern);
                if (dfa is null)
                {
                    Interlocked.Increment(ref refused);
                    return;
                }

                Interlocked.Increment(ref compiled);
                var regex = new Regex(pattern, Options);
                for (var i = 0; i < 40; i++)
                {
                    var input = RandomInput(random, pattern);
                    var expected = regex.IsMatch(input);
                    AssertSameVerdict(pattern, dfa, input, expected);

                    // The real condition, on the raw-bytes path (no escapes) and on the unescaping path.
                    var tri = expected ? Tri.True : Tri.False;
                    Assert.True(tri == condition.Evaluate(RawJsonString(input)), $"condition, raw: /{pattern}/ on {Show(input)}");
                    Assert.True(tri == condition.Evaluate(JsonSerializer.SerializeToElement(input)), $"condition, escaped: /{pattern}/ on {Show(input)}");
                }
            }));

        // The generator stays inside the subset, so nearly every pattern is the DFA's: only automata past the size caps are refused.
        Assert.True(refused * 50 <= compiled + refused, $"{refused} of {compiled + refused} generated patterns were refused");
    }

    private static void AssertSameVerdict(string pattern, RulePatternDfa dfa, string input)
        => AssertSameVerdict(pattern, dfa, input, new Regex(pattern, Options).IsMatch(input));

    private static void AssertSameVerdict(string pattern, RulePatternDfa dfa, string input, bool expected)
    {
        Assert.True(expected == dfa.IsMatch(input), $"text: /{pattern}/ on {Show(input)}: the Regex says {expected}");
        Assert.True(dfa.TryMatch(Encoding.UTF8.GetBytes(input), out var onBytes), $"utf8 refused: {Show(input)}");
        Assert.True(expected == onBytes, $"utf8: /{pattern}/ on {Show(input)}: the Regex says {expected}");
    }

    private static CompiledCondition Compile(string pattern)
    {
        var errors = new List<PolicyError>();
        var condition = CompiledCondition.Compile("text", new ArgumentCondition { Pattern = pattern }, "$.test", errors, source: null);
        Assert.Empty(errors);
        return condition!;
    }

    /// <summary>A JSON string with only the escapes JSON requires, so the value reaches the raw UTF-8 path when it has none.</summary>
    private static JsonElement RawJsonString(string s)
    {
        var builder = new StringBuilder("\"");
        foreach (var c in s)
        {
            if (c is '"' or '\\' || c < ' ')
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
            else
            {
                builder.Append(c);
            }
        }

        return JsonElement.Parse(builder.Append('"').ToString());
    }

    private static string Show(string s) => JsonSerializer.Serialize(s);

    /// <summary>A pattern of the subset's grammar: alternations of sequences of (quantified) atoms and anchors.</summary>
    private static string RandomPattern(Random r, int depth)
    {
        var builder = new StringBuilder();
        var branches = r.Next(10) < 7 ? 1 : r.Next(2, 4);
        for (var b = 0; b < branches; b++)
        {
            if (b > 0)
            {
                builder.Append('|');
            }

            // Mostly not empty and not nullable, or most verdicts would be a trivial "matches at the start".
            var items = r.Next(10) == 0 ? 0 : r.Next(1, 5);
            for (var i = 0; i < items; i++)
            {
                if (r.Next(10) == 0)
                {
                    builder.Append(Pick(r, "^", "$", "\\A", "\\z", "\\Z"));
                    continue;
                }

                builder.Append(RandomAtom(r, depth));
                if (r.Next(4) == 0)
                {
                    builder.Append(Pick(r, "*", "+", "?", "{0}", "{0,0}", "{1}", "{2}", "{0,2}", "{1,3}", "{2,}", "{0,}", "+", "{1,3}", "{2,}", "{2}", "+"));
                    if (r.Next(4) == 0)
                    {
                        builder.Append('?');
                    }
                }
            }
        }

        return builder.ToString();
    }

    private static string RandomAtom(Random r, int depth)
    {
        switch (r.Next(13))
        {
            case 0 or 1 or 2:
                return Pick(r, "a", "b", "c", "A", " ", "-", "/", "#", "_", "0", "'", ",", "=");
            case 3:
                return Pick(r, "\\.", "\\-", "\\\\", "\\/", "\\[", "\\]", "\\(", "\\)", "\\*", "\\$", "\\^", "\\{", "\\}", "\\|", "\\ ", "\\#");
            case 4:
                return Pick(r, "\\n", "\\t", "\\r", "\\f", "\\v", "\\e", "\\a", "\\x61", "\\x0A", "\\x2d", "\\u0062", "\\u000a", "\\u002F");
            case 5 or 6:
                return ".";
            case 7 or 8 or 9:
                return RandomClass(r);
            default:
                if (depth >= 3)
                {
                    return "a";
                }

                var inner = RandomPattern(r, depth + 1);
                return r.Next(2) == 0 ? "(" + inner + ")" : "(?:" + inner + ")";
        }
    }

    private static string RandomClass(Random r)
    {
        var builder = new StringBuilder("[");
        if (r.Next(3) == 0)
        {
            builder.Append('^');
        }

        var leading = r.Next(6);
        if (leading == 0)
        {
            builder.Append('-');
        }
        else if (leading == 1)
        {
            builder.Append("--/");
        }

        var members = r.Next(leading <= 1 ? 0 : 1, 4);
        for (var i = 0; i < members; i++)
        {
            var member = Pick(r, "a", "b-d", "A-Z", "\\-", "\\n", "\\]", "\\\\", ".", "^", " ", "\\x41-\\x43", "\\t", "0-9", "$", "/", "a-a", "\\[", "|");

            // A '^' right after '[' would negate the class instead.
            builder.Append(member == "^" && builder.Length == 1 ? "a" : member);
        }

        if (r.Next(6) == 0)
        {
            builder.Append('-');
        }

        return builder.Append(']').ToString();
    }

    /// <summary>An input biased towards the pattern's own characters, with '\n' (often at the end), non-ASCII and long runs.</summary>
    private static string RandomInput(Random r, string pattern)
    {
        var builder = new StringBuilder();
        var length = r.Next(10) == 0 ? r.Next(20, 200) : r.Next(0, 9);
        for (var i = 0; i < length; i++)
        {
            if (r.Next(2) == 0 && pattern.Length > 0)
            {
                var c = pattern[r.Next(pattern.Length)];
                builder.Append(c);
            }
            else
            {
                builder.Append(InputPieces[r.Next(InputPieces.Length)]);
            }
        }

        switch (r.Next(6))
        {
            case 0:
                builder.Append('\n');
                break;
            case 1:
                builder.Append("\n\n");
                break;
        }

        return builder.ToString();
    }

    private static string Pick(Random r, params string[] options) => options[r.Next(options.Length)];
}
