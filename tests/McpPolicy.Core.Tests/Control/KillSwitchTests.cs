using McpPolicy.Core.Tests.TestSupport;

namespace McpPolicy.Core.Tests.Control;

public sealed class KillSwitchTests
{
    private const string OpenPolicy = """{ "defaults": { "risk": "Low" } }""";

    [Fact]
    public async Task Disabled_tool_is_denied_with_the_scope_id_and_reason_and_runs_again_once_enabled()
    {
        using var h = new ControlHarness(ControlHarness.Policy(OpenPolicy));
        ControlAssert.Ran(await h.CallAsync("fs/write_file"));

        h.KillSwitch.Disable(KillSwitchScope.Tool("fs/write_file"), "incident 42");
        var denied = await h.CallAsync("fs/write_file");

        Assert.Equal("killswitch:fs/write_file", ControlAssert.RuleId(denied));
        Assert.Contains("incident 42", ControlAssert.Text(denied), StringComparison.Ordinal);
        ControlAssert.Ran(await h.CallAsync("fs/read_file"));

        Assert.True(h.KillSwitch.Enable(KillSwitchScope.Tool("fs/write_file")));
        ControlAssert.Ran(await h.CallAsync("fs/write_file"));
        Assert.Equal(3, h.Invocations);
    }

    [Theory]
    [InlineData("all", "web/fetch", true)]
    [InlineData("server:fs", "fs/read_file", true)]
    [InlineData("server:fs", "web/fetch", false)]
    [InlineData("fs/write_*", "fs/write_file", true)]
    [InlineData("fs/write_*", "fs/read_file", false)]
    [InlineData("*/delete_*", "db/delete_row", true)]
    public async Task Each_scope_kind_denies_exactly_the_calls_it_covers(string scope, string call, bool denied)
    {
        using var h = new ControlHarness(ControlHarness.Policy(OpenPolicy));
        h.KillSwitch.Disable(KillSwitchScope.Parse(scope));

        var result = await h.CallAsync(call);

        if (denied)
        {
            Assert.Equal("killswitch:" + KillSwitchScope.Parse(scope).Text, ControlAssert.RuleId(result));
            Assert.Equal(0, h.Invocations);
        }
        else
        {
            ControlAssert.Ran(result);
        }
    }

    [Fact]
    public async Task Kill_switch_denies_before_the_policy_so_the_denial_names_it()
    {
        using var h = new ControlHarness(ControlHarness.Policy("""{ "tools": [ { "match": "fs/*", "risk": "Block" } ] }"""));
        h.KillSwitch.Disable(KillSwitchScope.Server("fs"));

        Assert.Equal("killswitch:server:fs", ControlAssert.RuleId(await h.CallAsync("fs/x")));
    }

    [Fact]
    public async Task Configured_entries_apply_and_cannot_be_enabled_through_the_api()
    {
        using var h = new ControlHarness(ControlHarness.Policy("""{ "defaults": { "risk": "Low" }, "killSwitch": [ { "scope": "server:shell", "reason": "maintenance" } ] }"""));

        var denied = await h.CallAsync("shell/run");
        Assert.Equal("killswitch:server:shell", ControlAssert.RuleId(denied));
        Assert.Contains("maintenance", ControlAssert.Text(denied), StringComparison.Ordinal);

        Assert.False(h.KillSwitch.Enable(KillSwitchScope.Server("shell")));
        Assert.Equal("killswitch:server:shell", ControlAssert.RuleId(await h.CallAsync("shell/run")));
        var entry = Assert.Single(h.KillSwitch.Entries);
        Assert.True(entry.FromConfiguration);
    }

    [Fact]
    public void Disabling_a_scope_again_replaces_its_entry_and_stamps_it()
    {
        var time = new ManualTimeProvider();
        var killSwitch = new KillSwitch(time: time);
        killSwitch.Disable(KillSwitchScope.All, "first");
        time.Advance(TimeSpan.FromMinutes(1));
        killSwitch.Disable(KillSwitchScope.All, "second");

        var entry = Assert.Single(killSwitch.Entries);
        Assert.Equal("second", entry.Reason);
        Assert.Equal(time.GetUtcNow(), entry.Since);
        Assert.True(((IKillSwitch)killSwitch).IsDisabled("any", "tool"));
        Assert.True(killSwitch.Enable(KillSwitchScope.All));
        Assert.False(killSwitch.Enable(KillSwitchScope.All));
        Assert.Null(killSwitch.Find("any", "tool"));
    }

    [Fact]
    public async Task A_store_that_cannot_be_read_denies_every_call()
    {
        using var h = new ControlHarness(ControlHarness.Policy(OpenPolicy), store: new BrokenStore());

        Assert.Equal("killswitch:error", ControlAssert.RuleId(await h.CallAsync("fs/read_file")));
        Assert.Equal(0, h.Invocations);
    }

    [Fact]
    public async Task A_tool_disabled_while_its_approval_was_pending_does_not_run()
    {
        KillSwitch? killSwitch = null;
        var approver = new FlippingApprover(() => killSwitch!.Disable(KillSwitchScope.Tool("bank/send"), "frozen"));
        using var h = new ControlHarness(ControlHarness.Policy("""{ "tools": [ { "match": "bank/send", "risk": "High" } ] }"""), approvals: approver);
        killSwitch = h.KillSwitch;

        var result = await h.CallAsync("bank/send");

        Assert.Equal(1, approver.Asked);
        Assert.Equal("killswitch:bank/send", ControlAssert.RuleId(result));
        Assert.Equal(0, h.Invocations);
    }

    [Fact]
    public async Task An_approved_call_runs_when_the_kill_switch_stays_off()
    {
        var approver = new FlippingApprover(() => { });
        using var h = new ControlHarness(ControlHarness.Policy("""{ "tools": [ { "match": "bank/send", "risk": "High" } ] }"""), approvals: approver);

        ControlAssert.Ran(await h.CallAsync("bank/send"));
        Assert.Equal(1, h.Invocations);
    }

    private sealed class BrokenStore : IKillSwitchStore
    {
        public IReadOnlyList<KillSwitchEntry> Entries => throw new InvalidOperationException("store offline");

        public void Disable(KillSwitchEntry entry) => throw new InvalidOperationException("store offline");

        public bool Enable(KillSwitchScope scope) => throw new InvalidOperationException("store offline");
    }

    private sealed class FlippingApprover(Action whileAsking) : IApprovalHandler
    {
        public int Asked { get; private set; }

        public ValueTask<ApprovalResponse> RequestApprovalAsync(ApprovalRequest request, CancellationToken cancellationToken)
        {
            Asked++;
            whileAsking();
            return new ValueTask<ApprovalResponse>(ApprovalResponse.Approve("operator"));
        }
    }
}
