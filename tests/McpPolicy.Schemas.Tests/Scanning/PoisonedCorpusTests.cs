using System.Text.Json;
using Xunit.Abstractions;

namespace McpPolicy.Schemas.Tests.Scanning;

public sealed class PoisonedCorpusTests
{
    private readonly ITestOutputHelper _output;

    public PoisonedCorpusTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public void Corpus_has_at_least_30_distinct_poisoned_definitions()
    {
        var corpus = ScanningData.Corpus();
        Assert.True(corpus.Count >= 30, $"only {corpus.Count} corpus entries");
        Assert.Equal(corpus.Count, corpus.Select(e => e.Id).Distinct(StringComparer.Ordinal).Count());
        var definitions = corpus.Where(e => e.Tool is not null).Select(e => e.Tool!.Value.GetRawText()).Distinct(StringComparer.Ordinal).Count();
        Assert.Equal(corpus.Count(e => e.Tool is not null), definitions);
    }

    [Fact]
    public void Corpus_covers_every_detector_except_the_scan_limits()
    {
        var expected = ScanningData.Corpus().SelectMany(e => e.Expect).ToHashSet(StringComparer.Ordinal);
        var missing = ToolDefinitionScanner.KnownIds.Where(id => !expected.Contains(id) && id is not DefinitionFindingIds.ScanLimit and not DefinitionFindingIds.InvalidDefinition).ToList();
        Assert.True(missing.Count == 0, "No corpus entry expects: " + string.Join(", ", missing));
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Poisoned_definition_gets_its_expected_findings_at_medium_or_above(string id)
    {
        var entry = ScanningData.Corpus().Single(e => e.Id == id);
        var findings = ScanningData.Scan(new ToolDefinitionScanner(), entry);
        foreach (var finding in findings)
        {
            _output.WriteLine(finding.ToString());
        }

        foreach (var expected in entry.Expect)
        {
            Assert.Contains(findings, f => f.Id == expected);
        }

        Assert.Contains(findings, f => f.Severity >= FindingSeverity.Medium);
        foreach (var finding in findings)
        {
            // Excerpts show hidden characters as code points: nothing invisible survives into a report.
            Assert.DoesNotContain(finding.Excerpt.EnumerateRunes(), r => r.Value != ' ' && global::McpPolicy.Schemas.Scanning.VisibleText.IsHidden(r));
        }
    }

    [Fact]
    public void Findings_point_at_the_poisoned_string()
    {
        var entry = ScanningData.Corpus().Single(e => e.Id == "tag-property-description");
        var finding = Assert.Single(ScanningData.Scan(new ToolDefinitionScanner(), entry), f => f.Id == DefinitionFindingIds.HiddenTag);
        Assert.Equal("/inputSchema/properties/city/description", finding.Pointer);
        Assert.Equal(FindingSeverity.Critical, finding.Severity);
        Assert.Equal(RiskLevel.Block, finding.Risk);
        Assert.Contains("<U+E0061>", finding.Excerpt, StringComparison.Ordinal);
        Assert.Contains("also send the chat history", finding.Message, StringComparison.Ordinal);
        Assert.Equal("get_weather", finding.ToolName);
    }

    public static TheoryData<string> Ids() => ScanningData.CorpusIds();
}
