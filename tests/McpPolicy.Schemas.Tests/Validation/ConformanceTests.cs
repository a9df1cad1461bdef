using McpPolicy.Schemas.Conformance;

namespace McpPolicy.Schemas.Tests.Validation;

/// <summary>Runs the official JSON Schema Test Suite (required tests) in-process, the same runner as tests/McpPolicy.Schemas.Conformance.</summary>
public sealed class ConformanceTests
{
    // The pass counts this code achieved when the baseline was last raised; a lower count is a regression.
    private static readonly Dictionary<string, int> Baseline = new(StringComparer.Ordinal)
    {
        ["draft2020-12"] = 1299,
        ["draft7"] = 927,
    };

    [Fact]
    public void Json_schema_test_suite_passes_at_least_the_baseline_and_fails_only_known_failures()
    {
        string root = RepositoryRoot();
        string? suite = ConformanceSuite.Locate(root);
        Assert.True(suite is not null, "The JSON Schema Test Suite is missing: expected ../shared/json-schema-test-suite next to the repository root.");
        var known = File.ReadAllLines(Path.Combine(root, "tests", "McpPolicy.Schemas.Tests", "Validation", "known-failures.txt"))
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .ToHashSet(StringComparer.Ordinal);

        var results = ConformanceSuite.Run(suite!);

        var problems = new List<string>();
        foreach (var result in results)
        {
            if (result.Passed < Baseline[result.Draft])
            {
                problems.Add($"{result.Draft}: {result.Passed}/{result.Total} passed, below the baseline of {Baseline[result.Draft]}.");
            }
        }

        var failing = results.SelectMany(r => r.Failures).ToList();
        problems.AddRange(failing.Where(f => !known.Contains(f.Id)).Select(f => "New failure: " + f.Id + " — " + f.Reason));
        var failingIds = failing.Select(f => f.Id).ToHashSet(StringComparer.Ordinal);
        problems.AddRange(known.Where(id => !failingIds.Contains(id)).Select(id => "Now passes, remove it from known-failures.txt (and raise the baseline): " + id));
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "McpPolicy.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (the folder holding McpPolicy.sln) was not found above " + AppContext.BaseDirectory);
    }
}
