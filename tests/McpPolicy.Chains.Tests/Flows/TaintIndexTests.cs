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
}
