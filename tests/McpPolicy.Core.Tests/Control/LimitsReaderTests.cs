namespace McpPolicy.Core.Tests.Control;

/// <summary>Reading the <c>limits</c> and <c>killSwitch</c> sections of a policy document.</summary>
public sealed class LimitsReaderTests
{
    [Fact]
    public void Every_limit_key_is_read_in_any_casing()
    {
        var options = PolicyLoader.FromJson("""
            { "LIMITS": { "perTool": { "fs/*": { "PerMinute": 60, "concurrency": 4, "timeout": "00:00:30" }, "shell/run": { "perMinute": 1 } },
                          "perConversation": { "maxCalls": 200, "MAXAPPROVALS": 10, "maxSinkBytes": 65536 } } }
            """);

        Assert.Equal(60, options.Limits.PerTool["fs/*"].PerMinute);
        Assert.Equal(4, options.Limits.PerTool["fs/*"].Concurrency);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Limits.PerTool["fs/*"].Timeout);
        Assert.Equal(1, options.Limits.PerTool["shell/run"].PerMinute);
        Assert.Null(options.Limits.PerTool["shell/run"].Concurrency);
        Assert.Equal(200, options.Limits.PerConversation.MaxCalls);
        Assert.Equal(10, options.Limits.PerConversation.MaxApprovals);
        Assert.Equal(65536, options.Limits.PerConversation.MaxSinkBytes);
    }

    [Theory]
    [InlineData("""{ "limits": { "perTool": { "fs/*": { "perMinute": 0 } } } }""", "$.limits.perTool.fs/*.perMinute")]
    [InlineData("""{ "limits": { "perTool": { "fs/*": { "concurrency": 1.5 } } } }""", "$.limits.perTool.fs/*.concurrency")]
    [InlineData("""{ "limits": { "perTool": { "fs/*": { "timeout": "30" } } } }""", "$.limits.perTool.fs/*.timeout")]
    [InlineData("""{ "limits": { "perTool": { "fs/*": { "burst": 3 } } } }""", "$.limits.perTool.fs/*.burst")]
    [InlineData("""{ "limits": { "perTool": { "fs/*": {} } } }""", "$.limits.perTool.fs/*")]
    [InlineData("""{ "limits": { "perTool": { "fs": { "perMinute": 1 } } } }""", "$.limits.perTool.fs")]
    [InlineData("""{ "limits": { "perTool": [] } }""", "$.limits.perTool")]
    [InlineData("""{ "limits": { "perConversation": { "maxCalls": -1 } } }""", "$.limits.perConversation.maxCalls")]
    [InlineData("""{ "limits": { "perConversation": { "maxSinkBytes": 1.5 } } }""", "$.limits.perConversation.maxSinkBytes")]
    [InlineData("""{ "limits": { "perConversation": { "maxTokens": 1 } } }""", "$.limits.perConversation.maxTokens")]
    [InlineData("""{ "limits": { "perUser": {} } }""", "$.limits.perUser")]
    [InlineData("""{ "killSwitch": [ "fs" ] }""", "$.killSwitch[0]")]
    [InlineData("""{ "killSwitch": [ { "reason": "x" } ] }""", "$.killSwitch[0]")]
    [InlineData("""{ "killSwitch": [ { "scope": "all", "until": "x" } ] }""", "$.killSwitch[0].until")]
    [InlineData("""{ "killSwitch": [ 1 ] }""", "$.killSwitch[0]")]
    [InlineData("""{ "killSwitch": "all" }""", "$.killSwitch")]
    public void Invalid_limit_or_kill_switch_entry_is_an_error_at_its_path(string json, string path)
    {
        var ex = Assert.Throws<PolicyValidationException>(() => PolicyLoader.FromJson(json));

        Assert.Contains(path, ex.Errors.Select(e => e.Path));
    }

    [Fact]
    public void Kill_switch_items_are_scopes_or_objects_with_a_reason()
    {
        var options = PolicyLoader.FromJson("""{ "killSwitch": [ "all", "server:fs", { "scope": "*/delete_*", "reason": "incident 42" } ] }""");

        Assert.Equal(["killswitch:all", "killswitch:server:fs", "killswitch:*/delete_*"], options.KillSwitch.Select(e => e.Scope.Id));
        Assert.Equal("incident 42", options.KillSwitch[2].Reason);
        Assert.All(options.KillSwitch, e => Assert.True(e.FromConfiguration));
    }

    [Fact]
    public void Later_sources_replace_limit_entries_and_budgets_and_append_kill_switch_entries()
    {
        var options = PolicyLoader.FromJson("""
            { "limits": { "perTool": { "fs/*": { "perMinute": 60 }, "web/*": { "perMinute": 5 } }, "perConversation": { "maxCalls": 10, "maxApprovals": 2 } },
              "killSwitch": [ "server:a" ] }
            """);
        PolicyLoader.ApplyJson(options, """
            { "limits": { "perTool": { "fs/*": { "concurrency": 1 } }, "perConversation": { "maxCalls": 20 } }, "killSwitch": [ "server:b" ] }
            """);

        Assert.Null(options.Limits.PerTool["fs/*"].PerMinute);
        Assert.Equal(1, options.Limits.PerTool["fs/*"].Concurrency);
        Assert.Equal(5, options.Limits.PerTool["web/*"].PerMinute);
        Assert.Equal(20, options.Limits.PerConversation.MaxCalls);
        Assert.Equal(2, options.Limits.PerConversation.MaxApprovals);
        Assert.Equal(["server:a", "server:b"], options.KillSwitch.Select(e => e.Scope.Text));
    }

    [Theory]
    [InlineData("""{ "limits": { "perTool": { "fs/*": { "perMinute": 60 } } } }""")]
    [InlineData("""{ "limits": { "perTool": { "fs/*": { "perMinute": 61 } } } }""")]
    [InlineData("""{ "limits": { "perTool": { "fs/*": { "timeout": "00:00:30" } } } }""")]
    [InlineData("""{ "limits": { "perConversation": { "maxCalls": 5 } } }""")]
    [InlineData("""{ "killSwitch": [ "server:fs" ] }""")]
    [InlineData("""{ "killSwitch": [ { "scope": "server:fs", "reason": "r" } ] }""")]
    public void Limits_and_kill_switch_entries_are_part_of_the_policy_version(string json)
    {
        var versions = new[] { "{}", json }.Select(j => new PolicyEvaluator(PolicyLoader.FromJson(j)).PolicyVersion).ToArray();

        Assert.NotEqual(versions[0], versions[1]);
        Assert.Equal(versions[1], new PolicyEvaluator(PolicyLoader.FromJson(json)).PolicyVersion);
    }

    [Fact]
    public void Versions_of_limit_variants_all_differ()
    {
        string[] variants =
        [
            """{ "limits": { "perTool": { "fs/*": { "perMinute": 60 } } } }""",
            """{ "limits": { "perTool": { "fs/*": { "concurrency": 60 } } } }""",
            """{ "limits": { "perTool": { "web/*": { "perMinute": 60 } } } }""",
            """{ "limits": { "perConversation": { "maxApprovals": 60 } } }""",
            """{ "killSwitch": [ "server:fs" ] }""",
            """{ "killSwitch": [ "server:web" ] }""",
        ];

        var versions = variants.Select(j => new PolicyEvaluator(PolicyLoader.FromJson(j)).PolicyVersion).ToList();

        Assert.Equal(variants.Length, versions.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Invalid_document_changes_nothing()
    {
        var options = PolicyLoader.FromJson("""{ "limits": { "perConversation": { "maxCalls": 10 } } }""");

        Assert.Throws<PolicyValidationException>(() => PolicyLoader.ApplyJson(options, """{ "limits": { "perConversation": { "maxCalls": 20 } }, "killSwitch": [ "nope" ] }"""));

        Assert.Equal(10, options.Limits.PerConversation.MaxCalls);
        Assert.Empty(options.KillSwitch);
    }
}
