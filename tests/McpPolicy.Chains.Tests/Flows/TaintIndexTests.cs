using FsCheck;
using FsCheck.Fluent;

namespace McpPolicy.Chains.Tests.Flows;

public sealed class TaintIndexTests
{
    private static FlowCall Call(int i) => new(i, "web/fetch", null);

    private static FlowCall? Find(TaintIndex index, string text) => index.Find(TaintText.Normalize(text));

    [Fact]
    public void Normalization_folds_case_collapses_white_space_and_drops_invisible_characters()
    {
        Assert.Equal(" hello world é ", TaintText.Normalize("\t HeLLo\r\n\u00a0 WORLD\u200B \u00c9\u0007 "));
    }

    [Fact]
    public void A_fragment_is_found_only_when_it_reaches_the_minimum_length()
    {
        var index = new TaintIndex(minLength: 10, capacity: 1000);
        index.Add(TaintText.Normalize("The quick brown fox jumps over the lazy dog"), Call(1));

        Assert.Equal(Call(1), Find(index, "xx BROWN FOX JUMPS yy"));
        Assert.Equal(Call(1), Find(index, "k brown f"[..9] + "ox"));
        Assert.Null(Find(index, "brown fox"));
        Assert.Null(Find(index, "a quick red fox leaps"));
    }

    [Fact]
    public void The_newest_result_holding_a_fragment_is_named_and_the_oldest_go_first_when_full()
    {
        var index = new TaintIndex(minLength: 8, capacity: 40);
        index.Add(TaintText.Normalize("alpha alpha alpha"), Call(1));
        index.Add(TaintText.Normalize("bravo bravo bravo"), Call(2));
        Assert.Equal(Call(1), Find(index, "alpha alph"));

        index.Add(TaintText.Normalize("charlie charlie charlie"), Call(3));

        Assert.Null(Find(index, "alpha alph"));
        Assert.Equal(Call(3), Find(index, "charlie ch"));
        Assert.True(index.Length <= 40);
    }

    [Fact]
    public void A_result_larger_than_the_budget_keeps_its_beginning()
    {
        var index = new TaintIndex(minLength: 8, capacity: 16);
        index.Add(TaintText.Normalize("0123456789abcdefghijklmnop"), Call(1));

        Assert.Equal(16, index.Length);
        Assert.Equal(Call(1), Find(index, "456789abcdef"));
        Assert.Null(Find(index, "hijklmnop"));
    }

    [Fact]
    public void Texts_shorter_than_the_minimum_and_a_zero_budget_keep_nothing()
    {
        var index = new TaintIndex(minLength: 8, capacity: 0);
        index.Add(TaintText.Normalize("long enough text"), Call(1));
        var small = new TaintIndex(minLength: 8, capacity: 100);
        small.Add(TaintText.Normalize("short"), Call(1));

        Assert.Equal(0, index.WindowCount);
        Assert.Equal(0, small.WindowCount);
    }

    [Fact]
    public void Find_names_the_same_result_as_a_naive_search_for_every_minimum_length()
    {
        // A small alphabet so that shared windows are common; every minimum length from 4 to 40, so every probe window
        // length and stride is exercised (odd and even lengths, short and multi-word probe windows).
        var text = Gen.Elements('a', 'b', ' ').ArrayOf().Select(c => new string(c));
        var cases =
            from minLength in Gen.Choose(4, 40)
            from results in text.ArrayOf()
            from pick in Gen.Choose(0, 1000)
            from offset in Gen.Choose(0, 1000)
            from take in Gen.Choose(0, 60)
            from prefix in text
            from suffix in text
            select (minLength, results, argument: Argument(results, pick, offset, take, prefix, suffix));

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(1000), Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var index = new TaintIndex(c.minLength, 1 << 20);
            for (var i = 0; i < c.results.Length; i++)
            {
                index.Add(c.results[i], Call(i));
            }

            return index.Find(c.argument) == Naive(c.minLength, c.results, c.argument);
        }));
    }

    /// <summary>Part of one of the results (when any) between two random texts.</summary>
    private static string Argument(string[] results, int pick, int offset, int take, string prefix, string suffix)
    {
        if (results.Length == 0)
        {
            return prefix + suffix;
        }

        var result = results[pick % results.Length];
        var start = result.Length == 0 ? 0 : offset % result.Length;
        return string.Concat(prefix, result.AsSpan(start, Math.Min(take, result.Length - start)), suffix);
    }

    /// <summary>The leftmost window of the argument that some result holds, named by the newest result holding it.</summary>
    private static FlowCall? Naive(int minLength, string[] results, string argument)
    {
        for (var i = 0; i + minLength <= argument.Length; i++)
        {
            var window = argument.Substring(i, minLength);
            for (var r = results.Length - 1; r >= 0; r--)
            {
                if (results[r].Contains(window, StringComparison.Ordinal))
                {
                    return Call(r);
                }
            }
        }

        return null;
    }

    [Fact]
    public void Normalization_equals_its_character_by_character_definition()
    {
        // Runs of printable ASCII go through a vectorized path; mixing them with every other kind of character checks
        // the runs' edges (spaces carried across them, collapsed inside them, dropped characters between them).
        var pieces = new[] { "a", "Z", "q", "7", " ", "  ", "   ", "~", "\t", "\n", "\r\n", "\u0007", "\u001c", "\u007f", "\u0085", "\u00a0", "\u2003", "\u200B", "\u202E", "\u00c9", "\u0130", "\u65e5", "\U0001F600", "Hello World", "A  B" };
        var text = Gen.Elements(pieces).ArrayOf().Select(string.Concat);
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(2000), Prop.ForAll(text.ToArbitrary(), t => TaintText.Normalize(t) == Definition(t)));
    }

    /// <summary>Case folded (invariant), every run of white space one space, format and control characters dropped: the old per-character loop, kept as the reference.</summary>
    private static string Definition(string source)
    {
        var sb = new System.Text.StringBuilder();
        foreach (var c in source)
        {
            char folded;
            if (c < ' ' && c is not ('\t' or '\n' or '\v' or '\f' or '\r'))
            {
                // ASCII controls other than the five white-space ones (the separators U+001C-U+001F included) are dropped.
                continue;
            }

            if (char.IsWhiteSpace(c))
            {
                folded = ' ';
            }
            else if (char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.Format or System.Globalization.UnicodeCategory.Control)
            {
                continue;
            }
            else
            {
                folded = char.ToLowerInvariant(c);
            }

            if (folded != ' ' || sb.Length == 0 || sb[^1] != ' ')
            {
                sb.Append(folded);
            }
        }

        return sb.ToString();
    }
}
