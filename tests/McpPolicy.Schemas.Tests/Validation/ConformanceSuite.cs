using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace McpPolicy.Schemas.Conformance;

/// <summary>One failing test of the JSON Schema Test Suite: its id ("draft/file/case/test") and why it failed.</summary>
internal sealed record ConformanceFailure(string Id, string Reason);

/// <summary>The outcome for one draft: passed and total required tests, and every failure.</summary>
internal sealed record ConformanceResult(string Draft, int Passed, int Total, IReadOnlyList<ConformanceFailure> Failures);

/// <summary>
/// Runs the official JSON Schema Test Suite (required tests only: tests/&lt;draft&gt;/*.json, not optional/) against
/// McpPolicy's validator. Shared by the conformance console and the unit tests.
/// </summary>
[SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "Any exception while running a test case is a failure of that case, not of the run.")]
internal static class ConformanceSuite
{
    /// <summary>The drafts the suite is run for, with the dialect used when a schema has no $schema.</summary>
    public static IReadOnlyList<(string Draft, JsonSchemaDialect Dialect)> Drafts { get; } =
        [("draft2020-12", JsonSchemaDialect.Draft202012), ("draft7", JsonSchemaDialect.Draft7)];

    /// <summary>Finds ../shared/json-schema-test-suite relative to the repository root (the folder holding McpPolicy.sln) above <paramref name="start"/>.</summary>
    public static string? Locate(string start)
    {
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "McpPolicy.sln")))
            {
                string suite = Path.GetFullPath(Path.Combine(directory.FullName, "..", "shared", "json-schema-test-suite"));
                return Directory.Exists(suite) ? suite : null;
            }
        }

        return null;
    }

    /// <summary>Runs every draft.</summary>
    public static IReadOnlyList<ConformanceResult> Run(string suitePath) => Drafts.Select(d => Run(suitePath, d.Draft, d.Dialect)).ToList();

    /// <summary>Runs one draft's required tests, or (with <paramref name="optional"/>) its optional tests, formats asserted.</summary>
    public static ConformanceResult Run(string suitePath, string draft, JsonSchemaDialect dialect, bool optional = false)
    {
        var registry = new SchemaRegistry(new JsonSchemaOptions { DefaultDialect = dialect, AssertFormat = optional });
        string remotes = Path.Combine(suitePath, "remotes");
        foreach (string file in Directory.EnumerateFiles(remotes, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            string relative = Path.GetRelativePath(remotes, file).Replace(Path.DirectorySeparatorChar, '/');
            using var remote = JsonDocument.Parse(File.ReadAllBytes(file));
            registry.Register("http://localhost:1234/" + relative, remote.RootElement);
        }

        int passed = 0;
        int total = 0;
        var failures = new List<ConformanceFailure>();
        string directory = Path.Combine(suitePath, "tests", draft);
        var files = optional
            ? Directory.EnumerateFiles(Path.Combine(directory, "optional"), "*.json", SearchOption.AllDirectories)
            : Directory.EnumerateFiles(directory, "*.json", SearchOption.TopDirectoryOnly);
        foreach (string file in files.Order(StringComparer.Ordinal))
        {
            string fileName = Path.GetRelativePath(directory, file).Replace(Path.DirectorySeparatorChar, '/')[..^".json".Length];
            using var cases = JsonDocument.Parse(File.ReadAllBytes(file));
            foreach (var testCase in cases.RootElement.EnumerateArray())
            {
                string caseName = testCase.GetProperty("description").GetString()!;
                JsonSchemaValidator? validator = null;
                string? compileError = null;
                try
                {
                    validator = registry.GetValidator(testCase.GetProperty("schema"));
                }
                catch (Exception ex)
                {
                    compileError = ex.GetType().Name + ": " + ex.Message;
                }

                foreach (var test in testCase.GetProperty("tests").EnumerateArray())
                {
                    total++;
                    string id = draft + "/" + fileName + "/" + caseName + "/" + test.GetProperty("description").GetString();
                    bool expected = test.GetProperty("valid").GetBoolean();
                    string? reason = compileError ?? Check(validator!, test.GetProperty("data"), expected);
                    if (reason is null)
                    {
                        passed++;
                    }
                    else
                    {
                        failures.Add(new ConformanceFailure(id, reason));
                    }
                }
            }
        }

        return new ConformanceResult(draft, passed, total, failures);
    }

    private static string? Check(JsonSchemaValidator validator, JsonElement data, bool expected)
    {
        try
        {
            bool quick = validator.IsValid(data);
            var result = validator.Validate(data);
            if (quick != result.IsValid)
            {
                return $"IsValid says {quick} but Validate says {result.IsValid}";
            }

            if (result.IsValid == expected)
            {
                return null;
            }

            return expected
                ? "expected valid, got: " + string.Join(" | ", result.Errors.Select(e => e.ToString()))
                : "expected invalid, got valid";
        }
        catch (Exception ex)
        {
            return ex.GetType().Name + ": " + ex.Message;
        }
    }
}
