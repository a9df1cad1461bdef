using BenchmarkDotNet.Attributes;

namespace McpPolicy.Benchmarks;

/// <summary>
/// One decision of <see cref="PolicyEvaluator.Evaluate"/> for the scenario call (<c>bank/send_money</c>, about 200 bytes
/// of arguments) against a policy of <see cref="N"/> tools entries and rules. The context is built once: the numbers are
/// the evaluator's cost only, not argument parsing.
/// </summary>
[MemoryDiagnoser]
public class EvaluatorBenchmarks
{
    private PolicyEvaluator _evaluator = null!;
    private PolicyEvaluator _firing = null!;
    private ToolInvocationContext _context = null!;

    [Params(10, 100, 1000)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _evaluator = new PolicyEvaluator(Scenario.BuildPolicy(N));
        _firing = new PolicyEvaluator(Scenario.BuildPolicy(N, withFiringRule: true));
        _context = Scenario.CreateContext();
        Check(_evaluator.Evaluate(_context), Scenario.ExpectedRisk);
        Check(_firing.Evaluate(_context), RiskLevel.High);
    }

    /// <summary>Nothing raises the call: the Low decision is cached per plan, so this allocates nothing.</summary>
    [Benchmark(Baseline = true)]
    public PolicyDecision Evaluate() => _evaluator.Evaluate(_context);

    /// <summary>One rule holds and raises the call to High: the decision (and its reasons) is allocated per call.</summary>
    [Benchmark]
    public PolicyDecision EvaluateRuleFires() => _firing.Evaluate(_context);

    private static void Check(PolicyDecision decision, RiskLevel expected)
    {
        if (decision.Risk != expected)
        {
            throw new InvalidOperationException($"scenario broken: expected {expected}, got {decision}");
        }
    }
}

/// <summary>Loading (JSON text to options) and compiling the 1,000-entry policy: the cost of a start or a reload.</summary>
[MemoryDiagnoser]
public class EvaluatorCompileBenchmarks
{
    private string _json = null!;

    [GlobalSetup]
    public void Setup() => _json = PolicyJsonWriter.ToJson(Scenario.BuildPolicy(1000));

    /// <summary>Parses the policy JSON and compiles it into a new evaluator.</summary>
    [Benchmark]
    public PolicyEvaluator ParseAndCompile1000() => new(PolicyLoader.FromJson(_json, "policy-1000.json"));
}
