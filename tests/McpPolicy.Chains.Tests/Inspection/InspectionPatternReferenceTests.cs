using System.Text.RegularExpressions;
using McpPolicy.Chains.Inspection;

namespace McpPolicy.Chains.Tests.Inspection;

/// <summary>
/// <see cref="ResultInspectionOptions.Tools"/> keys are read by Core's <see cref="ToolPattern"/> with
/// <see cref="ToolPatternOptions.RequireSingleSlash"/> (a run of '*' read as one); this holds them to the semantics of the
/// Chains-only pattern they replaced, exhaustively over a small alphabet.
/// </summary>
public sealed class InspectionPatternReferenceTests
{
    [Theory]
    [InlineData("a/b", true)]
    [InlineData("a/b/c", false)]
    [InlineData("web/a/b", false)]
    [InlineData("a//b", false)]
    [InlineData("/b", false)]
    [InlineData("a/", false)]
    [InlineData("", false)]
    [InlineData("*", false)]
    [InlineData("*/*", true)]
    [InlineData("**/x", true)]
    [InlineData("a/b**", true)]
    [InlineData("***/***", true)]
    [InlineData("**/x/y", false)]
    [InlineData(" a / b ", true)]
    [InlineData("\u00e9/\U0001F600*", true)]
    public void Tool_keys_accept_what_the_old_inspection_pattern_accepted(string text, bool valid)
    {
        Assert.Equal(valid, OldInspectionToolPattern.TryParse(text, out _));
        Assert.Equal(valid, ResultInspectionOptions.TryParsePattern(text, out var pattern, out var error));
        Assert.Equal(valid, pattern is not null);
        Assert.Equal(valid, error is null);
        Assert.Equal(valid, !Validate(text).Any(e => e.StartsWith("Tools: ", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("web/a/b", "'web/a/b' has more than one '/'", "(\"web/a*b\")")]
    [InlineData("**/x/y", "'**/x/y' has more than one '/'", "(\"*/x*y\")")]
    [InlineData("/b", "'/b' is not a server/tool pattern", "server/tool")]
    public void A_rejected_key_is_named_as_written_with_how_to_fix_it(string text, string start, string fix)
    {
        var error = Assert.Single(Validate(text));

        Assert.StartsWith("Tools: " + start, error, StringComparison.Ordinal);
        Assert.Contains(fix, error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_double_star_override_still_applies_and_a_more_specific_one_still_wins()
    {
        var options = new ResultInspectionOptions();
        options.Tools["web/**"] = new ToolResultInspectionOptions { UnsafeText = UnsafeTextHandling.Remove, Marking = UntrustedContentMarking.Delimit };
        options.Tools["web/fetch_**"] = new ToolResultInspectionOptions { Marking = UntrustedContentMarking.Datamark };
        var resolver = new InspectionSettingsResolver(options);

        Assert.Equal(UnsafeTextHandling.Remove, resolver.For("web", "a/b").UnsafeText);
        Assert.Equal(UntrustedContentMarking.Delimit, resolver.For("web", "search").Marking);
        Assert.Equal(UntrustedContentMarking.Datamark, resolver.For("web", "fetch_url").Marking);
        Assert.Equal(UnsafeTextHandling.Remove, resolver.For("web", "fetch_url").UnsafeText);
        Assert.Equal(UnsafeTextHandling.MakeVisible, resolver.For("web2", "fetch_url").UnsafeText);
    }

    [Fact]
    public void Tool_keys_agree_with_the_old_inspection_pattern_on_every_small_pattern_and_name()
    {
        var patterns = Strings(['a', 'b', '*', '/'], 6);
        var names = Strings(['a', 'b', '/'], 3).Append("A").Append("\u00e9").Append("*").ToArray();
        var accepted = 0;
        var matched = 0;
        var failures = new List<string>();
        foreach (var text in patterns)
        {
            var oldValid = OldInspectionToolPattern.TryParse(text, out var old);
            if (oldValid != ResultInspectionOptions.TryParsePattern(text, out var pattern, out _))
            {
                failures.Add($"'{text}': old valid {oldValid}");
                continue;
            }

            if (!oldValid)
            {
                continue;
            }

            accepted++;
            if (pattern!.IsExact != old!.IsExact || pattern.LiteralLength != old.LiteralLength + 1)
            {
                failures.Add($"'{text}': specificity {pattern.IsExact}/{pattern.LiteralLength} vs old {old.IsExact}/{old.LiteralLength}");
            }

            foreach (var server in names)
            {
                foreach (var tool in names)
                {
                    var matches = pattern.Matches(server, tool);
                    matched += matches ? 1 : 0;
                    if (matches != old.Matches(server, tool))
                    {
                        failures.Add($"'{text}' on {server}/{tool}: {matches}");
                    }
                }
            }
        }

        Assert.Empty(failures);
        Assert.True(accepted > 1000 && matched > 10_000, $"{accepted} patterns were accepted and {matched} calls matched");
    }

    private static List<string> Validate(string key)
    {
        var options = new ResultInspectionOptions();
        options.Tools[key] = new ToolResultInspectionOptions();
        return options.Validate();
    }

    /// <summary>Every string over <paramref name="alphabet"/> of at most <paramref name="maxLength"/> characters.</summary>
    private static string[] Strings(char[] alphabet, int maxLength)
    {
        var all = new List<string> { "" };
        var previous = new List<string> { "" };
        for (var length = 1; length <= maxLength; length++)
        {
            previous = [.. previous.SelectMany(s => alphabet.Select(c => s + c))];
            all.AddRange(previous);
        }

        return [.. all];
    }

    /// <summary>
    /// The reference: McpPolicy.Chains.Inspection.InspectionToolPattern as it was before it was folded into Core, kept in behaviour.
    /// Exactly one '/', with a non-empty server before it and a non-empty tool after it; "**" allowed (it means '*'); nothing
    /// trimmed; '*' matches any run of characters (including '/') within its segment; ordinal characters. LiteralLength counts the
    /// characters other than '*' and the separating '/'.
    /// </summary>
    private sealed class OldInspectionToolPattern
    {
        private readonly Regex _server;
        private readonly Regex _tool;

        private OldInspectionToolPattern(string server, string tool)
        {
            _server = Wildcard(server);
            _tool = Wildcard(tool);
            LiteralLength = server.Length + tool.Length - server.Count(c => c == '*') - tool.Count(c => c == '*');
            IsExact = !server.Contains('*', StringComparison.Ordinal) && !tool.Contains('*', StringComparison.Ordinal);
        }

        public int LiteralLength { get; }

        public bool IsExact { get; }

        public static bool TryParse(string? text, out OldInspectionToolPattern? pattern)
        {
            pattern = null;
            var slash = text is null ? -1 : text.IndexOf('/', StringComparison.Ordinal);
            if (text is null || slash <= 0 || slash == text.Length - 1 || text.IndexOf('/', slash + 1) >= 0)
            {
                return false;
            }

            pattern = new OldInspectionToolPattern(text[..slash], text[(slash + 1)..]);
            return true;
        }

        public bool Matches(string server, string tool) => _server.IsMatch(server) && _tool.IsMatch(tool);

        // The old matcher, stated as a regular expression rather than its loop (McpPolicy.Schemas.Tests keeps that loop verbatim
        // in ToolPatternReferenceTests): each '*' is any run of characters, everything else is itself, compared ordinally.
        private static Regex Wildcard(string segment)
            => new("\\A" + string.Join(".*", segment.Split('*').Select(Regex.Escape)) + "\\z", RegexOptions.Singleline | RegexOptions.CultureInvariant);
    }
}
