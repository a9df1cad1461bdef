using McpPolicy.Schemas.Conformance;

// Usage: dotnet run --project tests/McpPolicy.Schemas.Conformance [--optional] [path-to-json-schema-test-suite]
// Prints "draft2020-12: P/T passed" and "draft7: P/T passed" (required tests only), then every failure.
// With --optional it runs the optional tests instead (formats asserted), for information.
// Exit code 0 whatever the counts; 2 when the suite folder is missing.
bool optional = args.Contains("--optional");
string? path = args.FirstOrDefault(a => a != "--optional");
string? suite = path ?? ConformanceSuite.Locate(Directory.GetCurrentDirectory()) ?? ConformanceSuite.Locate(AppContext.BaseDirectory);
if (suite is null || !Directory.Exists(Path.Combine(suite, "tests")))
{
    Console.Error.WriteLine("The JSON Schema Test Suite was not found: expected ../shared/json-schema-test-suite next to the repository root (the folder holding McpPolicy.sln), or pass its path as the first argument.");
    return 2;
}

var results = optional
    ? ConformanceSuite.Drafts.Select(d => ConformanceSuite.Run(suite, d.Draft, d.Dialect, optional: true)).ToList()
    : ConformanceSuite.Run(suite);
foreach (var result in results)
{
    Console.WriteLine($"{result.Draft}{(optional ? " (optional)" : "")}: {result.Passed}/{result.Total} passed");
}

foreach (var result in results)
{
    foreach (var failure in result.Failures)
    {
        Console.WriteLine($"FAIL {failure.Id}: {failure.Reason}");
    }
}

return 0;
