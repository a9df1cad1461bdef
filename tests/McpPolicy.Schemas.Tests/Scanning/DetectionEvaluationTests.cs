using System.Globalization;
using System.Text.Json;
using Xunit.Abstractions;

namespace McpPolicy.Schemas.Tests.Scanning;

/// <summary>
/// The evaluation the issue asks for: detection rate (poisoned corpus flagged at Medium or above) and false positives (benign tools
/// flagged at High or above) over the four AgentDojo catalogs and the npm reference servers listed live.
/// Run: dotnet test tests/McpPolicy.Schemas.Tests --filter DetectionEvaluation --logger "console;verbosity=detailed".
/// </summary>
public sealed class DetectionEvaluationTests
{
    private readonly ITestOutputHelper _output;

    public DetectionEvaluationTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public async Task DetectionEvaluation_flags_the_whole_corpus_and_no_benign_tool_at_high()
    {
        var scanner = new ToolDefinitionScanner();

        var corpus = ScanningData.Corpus();
        var missed = corpus.Where(e => !ScanningData.Scan(scanner, e).Any(f => f.Severity >= FindingSeverity.Medium)).Select(e => e.Id).ToList();
        var detected = corpus.Count - missed.Count;

        var benignTools = 0;
        var falsePositives = new List<string>();
        foreach (var (suite, tools) in ScanningData.AgentDojoCatalogs())
        {
            var result = scanner.ScanCatalog([new KeyValuePair<string, IReadOnlyList<JsonElement>>("agentdojo-" + suite, tools)]);
            benignTools += result.ToolCount;
            falsePositives.AddRange(result.Findings.Where(f => f.Severity >= FindingSeverity.High).Select(f => f.ToString()));
            Report("agentdojo/" + suite, result);
        }

        // The two reference servers side by side, as a host would connect them: one catalog, so shadowing checks run too.
        var npm = await ScanningData.ListNpmServerToolsAsync();
        Assert.True(npm.All(s => s.Value.Count > 0), "an npm reference server listed no tools");
        var live = scanner.ScanCatalog(npm);
        benignTools += live.ToolCount;
        falsePositives.AddRange(live.Findings.Where(f => f.Severity >= FindingSeverity.High).Select(f => f.ToString()));
        Report("npm filesystem+everything (live)", live);

        var rate = 100.0 * detected / corpus.Count;
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"detection rate: {detected}/{corpus.Count} = {rate:F1}% of poisoned definitions flagged at Medium or above"));
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"false positives: {falsePositives.Count} finding(s) at High or above over {benignTools} benign tools"));
        foreach (var line in falsePositives)
        {
            _output.WriteLine("  FP " + line);
        }

        Assert.True(missed.Count == 0, "missed: " + string.Join(", ", missed));
        Assert.True(falsePositives.Count == 0, "false positives: " + string.Join(" | ", falsePositives));
        Assert.True(benignTools >= 74 + 20, $"only {benignTools} benign tools were scanned");
    }

    private void Report(string name, DefinitionScanResult result)
    {
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: {result.ToolCount} tools, {result.Findings.Count} findings, highest {result.HighestSeverity?.ToString() ?? "none"}"));
        foreach (var finding in result.Findings)
        {
            _output.WriteLine("  " + finding);
        }
    }
}
