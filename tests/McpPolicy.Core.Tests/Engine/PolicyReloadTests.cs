using McpPolicy.Core.Tests.TestSupport;

namespace McpPolicy.Core.Tests.Engine;

public sealed class PolicyReloadTests
{
    private static McpPolicyOptions AllAt(RiskLevel risk)
    {
        var options = new McpPolicyOptions();
        options.Tools.Add(new ToolPolicy("*/*", risk));
        return options;
    }

    [Fact]
    public void Reload_puts_the_new_policy_in_force()
    {
        var evaluator = new PolicyEvaluator(AllAt(RiskLevel.Low));
        var call = Calls.Known("fs/read");
        var before = evaluator.Evaluate(call);

        var version = evaluator.Reload(AllAt(RiskLevel.High));

        var after = evaluator.Evaluate(call);
        Assert.Equal(RiskLevel.Low, before.Risk);
        Assert.Equal(RiskLevel.High, after.Risk);
        Assert.Equal(version, evaluator.PolicyVersion);
        Assert.Equal(version, after.PolicyVersion);
        Assert.NotEqual(before.PolicyVersion, version);
    }

    [Fact]
    public void Invalid_reload_throws_and_keeps_the_policy_in_force()
    {
        var evaluator = new PolicyEvaluator(AllAt(RiskLevel.Low));
        var version = evaluator.PolicyVersion;
        var invalid = AllAt(RiskLevel.High);
        invalid.Tools.Add(new ToolPolicy("fs", RiskLevel.High));

        var ex = Assert.Throws<PolicyValidationException>(() => evaluator.Reload(invalid));

        Assert.Equal("$.tools[1].match", Assert.Single(ex.Errors).Path);
        Assert.Equal(version, evaluator.PolicyVersion);
        var decision = evaluator.Evaluate(Calls.Known("fs/read"));
        Assert.Equal((RiskLevel.Low, version), (decision.Risk, decision.PolicyVersion));
    }

    [Fact]
    public void Reload_keeps_the_custom_rules()
    {
        var evaluator = new PolicyEvaluator(AllAt(RiskLevel.Low), [new SecretArgumentRule()]);

        evaluator.Reload(AllAt(RiskLevel.Medium));

        Assert.Equal("secret-argument", evaluator.Evaluate(Calls.Known("fs/read", """{ "secret": 1 }""")).DecisiveReason.Id);
    }

    [Fact]
    public void Reload_of_a_custom_rule_id_clash_is_rejected()
    {
        var evaluator = new PolicyEvaluator(AllAt(RiskLevel.Low), [new SecretArgumentRule()]);
        var clash = AllAt(RiskLevel.Low);
        clash.Rules.Add(new RulePolicy("secret-argument", "*/*", RiskLevel.High));

        Assert.Throws<PolicyValidationException>(() => evaluator.Reload(clash));
    }

    [Fact]
    public void Reloading_the_same_policy_keeps_the_version()
    {
        var evaluator = new PolicyEvaluator(AllAt(RiskLevel.Low));

        Assert.Equal(evaluator.PolicyVersion, evaluator.Reload(AllAt(RiskLevel.Low)));
    }

    [Fact]
    public void Reload_takes_its_own_copy_of_the_options()
    {
        var options = AllAt(RiskLevel.Low);
        var evaluator = new PolicyEvaluator(options);

        options.Tools[0].Risk = RiskLevel.Block;
        options.Defaults.UnknownTool = RiskLevel.Low;

        Assert.Equal(RiskLevel.Low, evaluator.Evaluate(Calls.Known("fs/read")).Risk);
        Assert.Equal(RiskLevel.Block, evaluator.Evaluate(Calls.Unknown("fs/read")).Risk);
    }

    [Fact]
    public async Task Every_decision_during_reloads_comes_wholly_from_one_policy()
    {
        var low = AllAt(RiskLevel.Low);
        var high = AllAt(RiskLevel.High);
        var evaluator = new PolicyEvaluator(low);
        var lowVersion = evaluator.PolicyVersion;
        var highVersion = new PolicyEvaluator(high).PolicyVersion;
        var expected = new Dictionary<string, RiskLevel> { [lowVersion] = RiskLevel.Low, [highVersion] = RiskLevel.High };
        using var stop = new CancellationTokenSource();
        var mismatches = 0;
        PolicyDecision? firstMismatch = null;
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<string, bool>();

        // Readers on threads of their own, each started before the first reload: on a busy thread pool (test classes and projects
        // run in parallel) pooled readers once never ran while a million reloads went by, and no version was seen at all.
        using var started = new CountdownEvent(4);
        var readers = Enumerable.Range(0, 4).Select(i => Task.Factory.StartNew(() =>
        {
            var call = Calls.Known("s/t" + i);
            started.Signal();
            while (!stop.IsCancellationRequested)
            {
                var decision = evaluator.Evaluate(call);
                seen[decision.PolicyVersion] = true;
                if (!expected.TryGetValue(decision.PolicyVersion, out var risk) || risk != decision.Risk)
                {
                    Interlocked.Increment(ref mismatches);
                    Interlocked.CompareExchange(ref firstMismatch, decision, null);
                }
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        Assert.True(started.Wait(TimeSpan.FromSeconds(30)), "the readers did not start");

        var elapsed = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; (i < 2000 || seen.Count < 2) && elapsed.Elapsed < TimeSpan.FromSeconds(30); i++)
        {
            evaluator.Reload(i % 2 == 0 ? high : low);
        }

        await stop.CancelAsync();
        await Task.WhenAll(readers);
        Assert.True(mismatches == 0, $"{mismatches} decisions did not match their policy version; the first: {firstMismatch} (policy version {firstMismatch?.PolicyVersion})");
        Assert.True(seen.Count == 2, $"versions seen: {string.Join(", ", seen.Keys)}");
    }
}
