namespace McpPolicy.Core.Tests.TestSupport;

/// <summary>A custom rule that always gives the same verdict and counts how often it was asked.</summary>
public sealed class CountingRule : IPolicyRule
{
    private readonly RuleVerdict _verdict;
    private int _calls;

    public CountingRule(string id, RuleVerdict verdict)
    {
        Id = id;
        _verdict = verdict;
    }

    public string Id { get; }

    public int Calls => Volatile.Read(ref _calls);

    public RuleVerdict Evaluate(ToolInvocationContext context)
    {
        Interlocked.Increment(ref _calls);
        return _verdict;
    }
}
