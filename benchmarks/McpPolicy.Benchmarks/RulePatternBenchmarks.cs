using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using BenchmarkDotNet.Attributes;
using McpPolicy.Engine;

namespace McpPolicy.Benchmarks;

/// <summary>
/// A rule's string <c>pattern</c> on one argument value: the Regex path as it was before the DFA (decode the JSON string's
/// UTF-8 to UTF-16, NonBacktracking <c>IsMatch</c> with its 100 ms timeout), the <see cref="RulePatternDfa"/> on the raw
/// bytes, and the whole condition (<c>CompiledCondition.Evaluate</c>, which now picks the DFA).
/// </summary>
[MemoryDiagnoser]
public class RulePatternBenchmarks
{
    private Regex _regex = null!;
    private RulePatternDfa _dfa = null!;
    private CompiledCondition _condition = null!;
    private CompiledCondition _required = null!;
    private JsonElement _value;
    private byte[] _raw = [];
    private bool _expected;

    /// <summary>Pattern and value: the host gate's all-caps check refused and passed, and an unanchored deny pattern that scans the whole value.</summary>
    [Params("caps-false", "caps-true", "unanchored")]
    public string Case { get; set; } = "caps-false";

    [GlobalSetup]
    public void Setup()
    {
        var (pattern, text) = Case switch
        {
            "caps-false" => ("^[A-Z ]+$", "hello from the benchmark"),
            "caps-true" => ("^[A-Z ]+$", "HELLO FROM THE BENCHMARK"),
            _ => ("rm -rf|sudo ", "please run the nightly backup of the data volume now"),
        };

        _regex = new Regex(pattern, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
        _dfa = RulePatternDfa.TryCompile(pattern) ?? throw new InvalidOperationException($"/{pattern}/ must be in the DFA's subset");
        var errors = new List<PolicyError>();
        _condition = CompiledCondition.Compile("text", new ArgumentCondition { Pattern = pattern }, "$.benchmark", errors, source: null)
            ?? throw new InvalidOperationException(string.Join("; ", errors.Select(e => e.Message)));
        _required = CompiledCondition.Compile("text", new ArgumentCondition { Required = true }, "$.benchmark", errors, source: null)!;
        _value = JsonSerializer.SerializeToElement(text);
        _raw = Encoding.UTF8.GetBytes(text);
        _expected = _regex.IsMatch(text);
        if (!_condition.MatchesPatternWithDfa || Regex() != _expected || Dfa() != _expected || Condition() != (_expected ? 1 : 0))
        {
            throw new InvalidOperationException($"{Case}: the three paths must agree with the Regex ({_expected})");
        }
    }

    /// <summary>The path before the DFA: decode into a stack buffer, then the NonBacktracking Regex with its timeout.</summary>
    [Benchmark(Baseline = true)]
    public bool Regex()
    {
        Span<char> buffer = stackalloc char[_raw.Length];
        var count = Encoding.UTF8.GetChars(_raw, buffer);
        return _regex.IsMatch(buffer[..count]);
    }

    /// <summary>The DFA on the raw UTF-8 bytes.</summary>
    [Benchmark]
    public bool Dfa() => _dfa.TryMatch(_raw, out var isMatch) && isMatch;

    /// <summary>What the condition does around the matcher: the JSON string's raw bytes and the check for escapes.</summary>
    [Benchmark]
    public int RawBytes() => JsonMarshal.GetRawUtf8Value(_value)[1..^1].IndexOf((byte)'\\');

    /// <summary>The pattern's share of the condition: raw bytes, escape check and DFA, without the rest of the condition's evaluation.</summary>
    [Benchmark]
    public bool RawThenDfa()
    {
        var raw = JsonMarshal.GetRawUtf8Value(_value)[1..^1];
        return raw.IndexOf((byte)'\\') < 0 && _dfa.TryMatch(raw, out var isMatch) && isMatch;
    }

    /// <summary>The whole condition on the JSON value (raw bytes, escape check, DFA), as the evaluator runs it.</summary>
    [Benchmark]
    public int Condition() => (int)_condition.Evaluate(_value);

    /// <summary>The same call on a condition without a pattern (<c>required</c> only): the evaluation's cost before any check.</summary>
    [Benchmark]
    public int ConditionWithoutPattern() => (int)_required.Evaluate(_value);
}
