using FsCheck;
using FsCheck.Fluent;
using McpPolicy.Core.Tests.TestSupport;

namespace McpPolicy.Core.Tests.Engine.Properties;

public sealed class PolicyEvaluatorPropertyTests
{
    private const int Cases = 300;

    private static void Holds<T>(Gen<T> gen, Func<T, bool> property)
        => Check.One(Config.QuickThrowOnFailure.WithMaxTest(Cases), Prop.ForAll(gen.ToArbitrary(), property));

    private static bool SameDecision(PolicyDecision a, PolicyDecision b)
        => a.Risk == b.Risk && a.Outcome == b.Outcome && a.Ids().SequenceEqual(b.Ids());

    private static readonly Gen<(PolicyCase Case, RuleSpec? Declarative, CustomRuleSpec? Custom)> CaseWithExtraRule =
        from c in PolicyGenerators.Case
        from declarative in PolicyGenerators.Rule("extra")
        from custom in PolicyGenerators.CustomRule("extra")
        from useCustom in Gen.Elements(true, false)
        select (c, useCustom ? null : declarative, useCustom ? custom : null);

    [Fact]
    public void Adding_a_rule_never_lowers_the_risk_of_any_call()
        => Holds(CaseWithExtraRule, x =>
        {
            var without = x.Case.Policy.Compile();
            var options = x.Case.Policy.ToOptions();
            if (x.Declarative is { } rule)
            {
                options.Rules.Add(rule.ToPolicy(reverseConditions: false));
            }

            IPolicyRule[] customs = [.. x.Case.Policy.CustomRules.Select(c => c.ToRule()), .. x.Custom is { } custom ? [custom.ToRule()] : Array.Empty<IPolicyRule>()];
            var with = new PolicyEvaluator(options, customs);
            return x.Case.Calls.All(call => with.Evaluate(call.ToContext()).Risk >= without.Evaluate(call.ToContext()).Risk);
        });

    [Fact]
    public void Evaluation_is_deterministic_across_calls_and_compilations()
        => Holds(PolicyGenerators.Case, c =>
        {
            var first = c.Policy.Compile();
            var second = c.Policy.Compile();
            return first.PolicyVersion == second.PolicyVersion
                && c.Calls.All(call =>
                {
                    var a = first.Evaluate(call.ToContext());
                    var again = first.Evaluate(call.ToContext());
                    var fresh = second.Evaluate(call.ToContext());
                    return SameDecision(a, again) && SameDecision(a, fresh)
                        && a.PolicyVersion == fresh.PolicyVersion && a.PolicyVersion == first.PolicyVersion;
                });
        });

    private static readonly Gen<(PolicyCase Case, string ThrowingId)> CaseWithThrowingRule =
        from c in PolicyGenerators.Case
        from prefix in Gen.Elements("a", "k", "m", "t", "z")
        select (c, prefix + "-throwing");

    [Fact]
    public void Throwing_custom_rule_always_blocks()
        => Holds(CaseWithThrowingRule, x =>
        {
            var baseline = x.Case.Policy.Compile();
            var throwing = x.Case.Policy.Compile(new ThrowingRule(x.ThrowingId));
            return x.Case.Calls.All(call =>
            {
                var decision = throwing.Evaluate(call.ToContext());
                var blockedAnyway = baseline.Evaluate(call.ToContext()).Risk == RiskLevel.Block;
                return decision.Risk == RiskLevel.Block
                    && (blockedAnyway || decision.DecisiveReason.Id == x.ThrowingId)
                    && !decision.ToString().Contains("hunter2", StringComparison.Ordinal);
            });
        });

    private static readonly Gen<(PolicyCase Case, int Seed)> CaseWithSeed =
        from c in PolicyGenerators.Case
        from seed in Gen.Choose(0, int.MaxValue)
        select (c, seed);

    [Fact]
    public void Registration_order_of_rules_never_changes_a_decision()
        => Holds(CaseWithSeed, x =>
        {
            var random = new Random(x.Seed);
            var policy = x.Case.Policy;
            var inOrder = policy.Compile();
            var shuffledRules = policy.Rules.OrderBy(_ => random.Next()).ToArray();
            var shuffledCustoms = policy.CustomRules.OrderBy(_ => random.Next()).Select(c => c.ToRule()).ToArray();
            var shuffled = new PolicyEvaluator(policy.ToOptions(reverseConditions: true, rulesInOrder: shuffledRules), shuffledCustoms);
            return inOrder.PolicyVersion == shuffled.PolicyVersion
                && x.Case.Calls.All(call => SameDecision(inOrder.Evaluate(call.ToContext()), shuffled.Evaluate(call.ToContext())));
        });

    [Fact]
    public void Indexed_evaluation_agrees_with_the_linear_reference()
        => Holds(PolicyGenerators.Case, c =>
        {
            var evaluator = c.Policy.Compile();
            return c.Calls.All(call =>
            {
                var linear = evaluator.EvaluateLinear(call.ToContext());
                var indexed = evaluator.Evaluate(call.ToContext());
                var memoised = evaluator.Evaluate(call.ToContext());
                return SameDecision(linear, indexed) && SameDecision(linear, memoised);
            });
        });

    [Fact]
    public void Generated_policies_exercise_every_kind_of_contribution()
    {
        // Guards the generators: properties over policies that never raise or never block would prove little.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in PolicyGenerators.Case.Sample(300))
        {
            var evaluator = c.Policy.Compile();
            foreach (var call in c.Calls)
            {
                var decision = evaluator.Evaluate(call.ToContext());
                seen.Add("risk:" + decision.Risk);
                foreach (var id in decision.Ids())
                {
                    seen.Add(id switch
                    {
                        _ when id.Contains(".arguments.", StringComparison.Ordinal) => "constraint",
                        _ when id.StartsWith("tools[", StringComparison.Ordinal) => "entry",
                        _ when id.EndsWith("-custom0", StringComparison.Ordinal) || id.EndsWith("-custom1", StringComparison.Ordinal) => "custom",
                        _ when id.Contains("-rule", StringComparison.Ordinal) => "rule",
                        _ => id,
                    });
                }
            }
        }

        Assert.Superset(
            new HashSet<string>(StringComparer.Ordinal)
            {
                "risk:Low", "risk:Medium", "risk:High", "risk:Block", "entry", "constraint", "rule", "custom",
                "defaults.risk", "defaults.unknownTool", "attribute:ToolRisk", "annotation:destructive", "annotation:write",
                "annotation:openWorld", "annotation:readOnly",
            },
            seen);
    }
}
