using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Protocol;
using static McpPolicy.Schemas.Tests.Catalog.CatalogLockFileTests;

namespace McpPolicy.Schemas.Tests.Catalog;

public sealed class CatalogGuardTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 21, 9, 0, 0, TimeSpan.Zero);

    private static ToolDescriptor D(Tool tool) => ToolDescriptor.FromProtocol(tool);

    private static (ServiceProvider Services, CatalogGuard Guard, ToolCatalog Catalog, IPolicyEvaluator Evaluator) Host(CatalogLock? initial = null, Action<CatalogGuardOptions>? configure = null, Action<McpPolicyOptions>? policy = null)
    {
        var services = new ServiceCollection();
        services.AddMcpPolicy(o =>
        {
            o.Servers["fs"] = new ServerPolicy { Trusted = true };
            o.Tools.Add(new ToolPolicy("*/*", RiskLevel.Low));
            policy?.Invoke(o);
        }).AddCatalogLock(o =>
        {
            o.InitialLock = initial;
            configure?.Invoke(o);
        });
        var provider = services.BuildServiceProvider();
        return (provider, provider.GetRequiredService<CatalogGuard>(), provider.GetRequiredService<ToolCatalog>(), provider.GetRequiredService<IPolicyEvaluator>());
    }

    private static PolicyDecision Call(IPolicyEvaluator evaluator, ToolCatalog catalog, string tool)
    {
        catalog.TryGetTool("fs", tool, out var descriptor);
        return evaluator.Evaluate(new ToolInvocationContext("fs", tool, null, descriptor));
    }

    private static CatalogLock Pinned(params Tool[] tools)
        => tools.Aggregate(CatalogLock.Empty, (l, t) => l.SetTool("fs", LockedTool.Create(t, "alice", At)));

    [Fact]
    public void Approved_tools_keep_their_policy_risk()
    {
        var (services, _, catalog, evaluator) = Host(Pinned(Tool("read")));
        using var _ = services;

        catalog.SetTools("fs", [D(Tool("read"))]);

        Assert.Equal(PolicyOutcome.Allow, Call(evaluator, catalog, "read").Outcome);
    }

    [Fact]
    public void Changed_tool_gets_the_changed_tool_default_and_only_that_tool()
    {
        var (services, guard, catalog, evaluator) = Host(Pinned(Tool("read"), Tool("list")));
        using var _ = services;

        catalog.SetTools("fs", [D(Tool("read", "Reads a file and mails it.")), D(Tool("list"))]);
        var decision = Call(evaluator, catalog, "read");

        Assert.Equal(RiskLevel.Block, decision.Risk);
        Assert.Equal("catalog:changed", decision.DecisiveReason.Id);
        Assert.Equal("the definition of 'read' changed since it was approved (description); it is quarantined until approved", decision.DecisiveReason.Message);
        Assert.Equal(PolicyOutcome.Allow, Call(evaluator, catalog, "list").Outcome);
        Assert.Equal(CatalogChangeKind.Changed, Assert.Single(guard.GetPendingChanges()).Kind);
    }

    [Fact]
    public void Quarantine_risks_come_from_the_policy_defaults()
    {
        var (services, _, catalog, evaluator) = Host(Pinned(Tool("read")), policy: o =>
        {
            o.Defaults.ChangedTool = RiskLevel.High;
            o.Defaults.UnknownTool = RiskLevel.Medium;
        });
        using var _ = services;

        catalog.SetTools("fs", [D(Tool("read", "Changed.")), D(Tool("new_one"))]);

        Assert.Equal(PolicyOutcome.RequiresApproval, Call(evaluator, catalog, "read").Outcome);
        Assert.Equal((RiskLevel.Medium, "catalog:new"), (Call(evaluator, catalog, "new_one").Risk, Call(evaluator, catalog, "new_one").DecisiveReason.Id));
    }

    [Fact]
    public void A_change_is_reported_once_while_it_stays_pending_and_again_when_it_changes_again()
    {
        var (services, guard, catalog, _) = Host(Pinned(Tool("read")));
        using var _ = services;
        var seen = new List<CatalogChange>();
        guard.ChangeDetected += (_, e) => seen.Add(e.Change);

        catalog.SetTools("fs", [D(Tool("read", "v2"))]);
        catalog.SetTools("fs", [D(Tool("read", "v2"))]);
        catalog.SetTools("fs", [D(Tool("read", "v3"))]);
        catalog.SetTools("fs", [D(Tool("read"))]);

        Assert.Equal(2, seen.Count);
        Assert.Contains("{+v3+}", seen[1].Differences[0].Message, StringComparison.Ordinal);
        Assert.Empty(guard.GetPendingChanges());
    }

    [Fact]
    public void Approval_of_a_stale_review_is_refused()
    {
        var (services, guard, catalog, evaluator) = Host(Pinned(Tool("read")));
        using var _ = services;
        catalog.SetTools("fs", [D(Tool("read", "v2"))]);
        var reviewed = Assert.Single(guard.GetPendingChanges());

        catalog.SetTools("fs", [D(Tool("read", "v3 with a worse description"))]);

        Assert.Throws<InvalidOperationException>(() => guard.Approve(reviewed, "alice"));
        Assert.Equal(RiskLevel.Block, Call(evaluator, catalog, "read").Risk);
        guard.Approve(Assert.Single(guard.GetPendingChanges()), "alice");
        Assert.Equal(PolicyOutcome.Allow, Call(evaluator, catalog, "read").Outcome);
        Assert.Throws<InvalidOperationException>(() => guard.Approve(reviewed, "alice"));
    }

    [Fact]
    public void Removed_plus_added_with_the_same_schema_is_a_rename_and_a_different_schema_is_not()
    {
        var (services, guard, catalog, _) = Host(Pinned(Tool("read"), Tool("write", schema: """{"type":"object","properties":{"path":{"type":"string"},"text":{"type":"string"}}}""")));
        using var _ = services;

        catalog.SetTools("fs", [D(Tool("read_file")), D(Tool("put", schema: """{"type":"object"}"""))]);
        var changes = guard.GetPendingChanges("fs");

        Assert.Equal(
            ["Added put", "Removed write", "Renamed read_file"],
            changes.Select(c => $"{c.Kind} {c.ToolName}").Order());
        Assert.Equal("read", changes.Single(c => c.Kind == CatalogChangeKind.Renamed).PreviousName);
    }

    [Fact]
    public void Approve_all_pins_everything_pending_and_restores_calls()
    {
        var (services, guard, catalog, evaluator) = Host();
        using var _ = services;
        catalog.SetTools("fs", [D(Tool("a")), D(Tool("b"))]);
        Assert.Equal("catalog:new", Call(evaluator, catalog, "a").DecisiveReason.Id);

        var approved = guard.ApproveAll("alice");

        Assert.Equal(2, approved.Count);
        Assert.Equal(PolicyOutcome.Allow, Call(evaluator, catalog, "a").Outcome);
        Assert.Equal(PolicyOutcome.Allow, Call(evaluator, catalog, "b").Outcome);
        Assert.Equal("alice", guard.Lock.Servers["fs"].Tools["b"].ApprovedBy);
    }

    [Fact]
    public void Trust_on_first_use_pins_the_first_listing_of_an_unknown_server_only()
    {
        var (services, guard, catalog, evaluator) = Host(configure: o => o.TrustOnFirstUse = true);
        using var _ = services;

        catalog.SetTools("fs", [D(Tool("a"))]);
        catalog.SetTools("fs", [D(Tool("a", "changed")), D(Tool("b"))]);

        Assert.Equal(CatalogGuard.TrustOnFirstUseApprover, guard.Lock.Servers["fs"].Tools["a"].ApprovedBy);
        Assert.Equal("catalog:changed", Call(evaluator, catalog, "a").DecisiveReason.Id);
        Assert.Equal("catalog:new", Call(evaluator, catalog, "b").DecisiveReason.Id);
    }

    [Fact]
    public void A_listing_the_guard_cannot_check_blocks_the_server_until_one_can_be_checked()
    {
        var (services, guard, catalog, evaluator) = Host(Pinned(Tool("read")));
        using var _ = services;

        // A number outside I-JSON cannot be hashed canonically.
        catalog.SetTools("fs", [D(Tool("read")), D(Tool("odd", schema: """{"type":"object","maximum":1e400}"""))]);
        var decision = Call(evaluator, catalog, "read");

        Assert.Equal(RiskLevel.Block, decision.Risk);
        Assert.Equal("catalog:error", decision.DecisiveReason.Id);
        catalog.SetTools("fs", [D(Tool("read"))]);
        Assert.Equal(PolicyOutcome.Allow, Call(evaluator, catalog, "read").Outcome);
        Assert.Empty(guard.GetPendingChanges());
    }

    [Fact]
    public void A_subscriber_that_throws_does_not_stop_the_guard()
    {
        var (services, guard, catalog, evaluator) = Host(Pinned(Tool("read")));
        using var _ = services;
        guard.ChangeDetected += (_, _) => throw new InvalidOperationException("subscriber bug");

        catalog.SetTools("fs", [D(Tool("read", "v2"))]);

        Assert.Single(guard.GetPendingChanges());
        Assert.Equal("catalog:changed", Call(evaluator, catalog, "read").DecisiveReason.Id);
    }

    [Fact]
    public void Approvals_are_saved_signed_and_a_new_guard_starts_from_the_file()
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"lock-{Guid.NewGuid():N}.json");
        var key = new CatalogLockSigningKey(new byte[32], "test");
        try
        {
            var (services, guard, catalog, _) = Host(configure: o =>
            {
                o.LockFilePath = path;
                o.SigningKey = key;
            });
            using (services)
            {
                catalog.SetTools("fs", [D(Tool("read"))]);
                guard.ApproveTool("fs", "read", "alice");
            }

            var (again, _, catalog2, evaluator2) = Host(configure: o =>
            {
                o.LockFilePath = path;
                o.SigningKey = key;
            });
            using (again)
            {
                catalog2.SetTools("fs", [D(Tool("read"))]);
                Assert.Equal(PolicyOutcome.Allow, Call(evaluator2, catalog2, "read").Outcome);
            }

            Assert.Throws<CatalogLockException>(() => CatalogLockFile.Load(path, new CatalogLockSigningKey(Enumerable.Repeat((byte)1, 32).ToArray())));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_tampered_lock_file_blocks_every_call_instead_of_allowing_any()
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"lock-{Guid.NewGuid():N}.json");
        var key = new CatalogLockSigningKey(new byte[32]);
        try
        {
            File.WriteAllText(path, CatalogLockFile.Serialize(Pinned(Tool("read"))).Replace("alice", "mallory", StringComparison.Ordinal));
            var services = new ServiceCollection();
            services.AddMcpPolicy(o => o.Tools.Add(new ToolPolicy("*/*", RiskLevel.Low))).AddCatalogLock(o =>
            {
                o.LockFilePath = path;
                o.SigningKey = key;
            });
            using var provider = services.BuildServiceProvider();

            Assert.Throws<CatalogLockException>(() => provider.GetRequiredService<CatalogGuard>());
            var decision = provider.GetRequiredService<IPolicyEvaluator>().Evaluate(new ToolInvocationContext("fs", "read", null, D(Tool("read"))));
            Assert.Equal(RiskLevel.Block, decision.Risk);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
