namespace McpPolicy.Core.Tests.Control;

public sealed class KillSwitchScopeTests
{
    [Theory]
    [InlineData("all", KillSwitchScopeKind.All, "", "killswitch:all")]
    [InlineData(" ALL ", KillSwitchScopeKind.All, "", "killswitch:all")]
    [InlineData("server:fs", KillSwitchScopeKind.Server, "fs", "killswitch:server:fs")]
    [InlineData("fs/write_file", KillSwitchScopeKind.Tool, "fs/write_file", "killswitch:fs/write_file")]
    [InlineData("*/delete_*", KillSwitchScopeKind.Tool, "*/delete_*", "killswitch:*/delete_*")]
    public void Scope_text_is_read_with_its_kind_target_and_denial_id(string text, KillSwitchScopeKind kind, string target, string id)
    {
        var scope = KillSwitchScope.Parse(text);

        Assert.Equal(kind, scope.Kind);
        Assert.Equal(target, scope.Target);
        Assert.Equal(id, scope.Id);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("server:")]
    [InlineData("server:a/b")]
    [InlineData("server:*")]
    [InlineData("fs")]
    [InlineData("fs/")]
    [InlineData("fs/**")]
    public void Invalid_scope_is_rejected_with_a_message_that_says_what_to_write(string text)
    {
        Assert.False(KillSwitchScope.TryParse(text, out var scope, out var error));
        Assert.Null(scope);
        Assert.False(string.IsNullOrEmpty(error));
        Assert.Throws<FormatException>(() => KillSwitchScope.Parse(text));
    }

    [Theory]
    [InlineData("all", "fs", "read", true)]
    [InlineData("server:fs", "fs", "read", true)]
    [InlineData("server:fs", "fs2", "read", false)]
    [InlineData("server:fs", "web", "fs", false)]
    [InlineData("fs/write_*", "fs", "write_file", true)]
    [InlineData("fs/write_*", "fs", "read_file", false)]
    [InlineData("fs/write_*", "web", "write_file", false)]
    [InlineData("*/delete_*", "db", "delete_row", true)]
    [InlineData("fs/read", "fs", "read_all", false)]
    public void Scope_covers_exactly_the_tools_it_names(string text, string server, string tool, bool covered)
        => Assert.Equal(covered, KillSwitchScope.Parse(text).Matches(server, tool));

    [Fact]
    public void Scopes_are_equal_by_kind_and_target()
    {
        Assert.Equal(KillSwitchScope.Parse("server:fs"), KillSwitchScope.Server("fs"));
        Assert.Equal(KillSwitchScope.Parse("fs/*"), KillSwitchScope.Tool("fs/*"));
        Assert.NotEqual(KillSwitchScope.Server("fs"), KillSwitchScope.Tool("fs/*"));
        Assert.Same(KillSwitchScope.All, KillSwitchScope.Parse("all"));
    }

    [Fact]
    public void Factory_methods_reject_what_is_not_a_server_or_a_glob()
    {
        Assert.Throws<ArgumentException>(() => KillSwitchScope.Server("fs/x"));
        Assert.Throws<ArgumentException>(() => KillSwitchScope.Server("f*"));
        Assert.Throws<ArgumentException>(() => KillSwitchScope.Tool("nope"));
    }
}
