using System.Text.Json;
using McpPolicy.Schemas.Constraints;

namespace McpPolicy.Schemas.Tests.Constraints;

public sealed class PathConstraintTests : IClassFixture<LinkTree>
{
    private readonly LinkTree _tree;
    private readonly PathCheck _check;

    public PathConstraintTests(LinkTree tree)
    {
        _tree = tree;
        _check = Compile(allow: [tree.Allowed + "/**"]);
    }

    private static PathCheck Compile(object settings) => (PathCheck)new PathConstraintKind().Compile(JsonSerializer.SerializeToElement(settings));

    private static PathCheck Compile(string[]? allow = null, string[]? deny = null, string? root = null, bool followSymlinks = true)
    {
        var settings = new Dictionary<string, object> { ["followSymlinks"] = followSymlinks };
        if (allow is not null)
        {
            settings["allow"] = allow;
        }

        if (deny is not null)
        {
            settings["deny"] = deny;
        }

        if (root is not null)
        {
            settings["root"] = root;
        }

        return Compile(settings);
    }

    private static PolicyValidationException CompileError(string settings)
        => Assert.Throws<PolicyValidationException>(() => new PathConstraintKind().Compile(JsonDocument.Parse(settings).RootElement));

    [Theory]
    [InlineData("allowed/docs/readme.txt")]
    [InlineData("allowed/docs/not-yet-written.txt")]
    [InlineData("allowed")]
    [InlineData("allowed/")]
    [InlineData("allowed//docs///readme.txt")]
    [InlineData("allowed/./docs/./readme.txt")]
    [InlineData("allowed/docs/../docs/readme.txt")]
    [InlineData("allowed/inner-link/readme.txt")]
    [InlineData("allowed/rel-link/readme.txt")]
    [InlineData("allowed/missing/../docs/readme.txt")]
    public void Path_inside_the_allowed_folder_is_accepted(string relative)
        => Assert.Equal(PathVerdict.Allowed, _check.Evaluate(_tree.At(relative)));

    [Theory]
    [InlineData("allowed/../outside/secret.txt")]
    [InlineData("allowed/docs/../../outside/secret.txt")]
    [InlineData("allowed/../../../../../../../../etc/passwd")]
    [InlineData("allowed/docs/../..")]
    [InlineData("outside/secret.txt")]
    [InlineData("allowed-but-not-really/x")]
    public void Traversal_out_of_the_allowed_folder_is_refused(string relative)
        => Assert.Equal(PathVerdict.NotAllowed, _check.Evaluate(_tree.At(relative)));

    [Theory]
    [InlineData("allowed/escape/secret.txt")]
    [InlineData("allowed/escape-abs/secret.txt")]
    [InlineData("allowed/escape")]
    [InlineData("allowed/secret-link")]
    [InlineData("allowed/dangling")]
    [InlineData("allowed/up/outside/secret.txt")]
    [InlineData("allowed/inner-link/../../outside/secret.txt")]
    [InlineData("allowed/docs/../escape/secret.txt")]
    public void Call_outside_allowed_paths_is_blocked_even_through_a_symlink(string relative)
        => Assert.Equal(PathVerdict.NotAllowed, _check.Evaluate(_tree.At(relative)));

    [Fact]
    public void Link_inside_the_allowed_folder_is_resolved_by_the_kernel_rule_not_the_text()
    {
        // Textually "escape/../docs" is allowed/docs; the kernel resolves escape first, so it is outside/../docs = base/docs.
        Assert.Equal(PathVerdict.NotAllowed, _check.Evaluate(_tree.At("allowed/escape/../docs/readme.txt")));
    }

    [Fact]
    public void Link_outside_the_allowed_folder_cannot_borrow_an_allowed_target()
        => Assert.Equal(PathVerdict.NotAllowed, _check.Evaluate(_tree.At("elsewhere/link-into-allowed/readme.txt")));

    [Theory]
    [InlineData("allowed/loop-a")]
    [InlineData("allowed/loop-a/x/y")]
    [InlineData("allowed/self")]
    public void Symlink_loop_fails_cleanly(string relative)
        => Assert.Equal(PathVerdict.TooManyLinks, _check.Evaluate(_tree.At(relative)));

    [Fact]
    public void Symlink_loop_through_the_json_check_is_a_violation_not_an_exception()
        => Assert.False(_check.Check(JsonSerializer.SerializeToElement(_tree.At("allowed/loop-a/file"))));

    [Fact]
    public void Without_following_symlinks_any_link_is_refused()
    {
        var check = Compile(allow: [_tree.Allowed + "/**"], followSymlinks: false);

        Assert.Equal(PathVerdict.SymbolicLinkRefused, check.Evaluate(_tree.At("allowed/inner-link/readme.txt")));
        Assert.Equal(PathVerdict.Allowed, check.Evaluate(_tree.At("allowed/docs/readme.txt")));
    }

    [Theory]
    [InlineData("allowed/docs/readme.txt\0.png", "NUL")]
    [InlineData("allowed/docs/read\nme.txt", "newline")]
    [InlineData("allowed/..\uFF0F..\uFF0Foutside/secret.txt", "fullwidth solidus")]
    [InlineData("allowed/..\u2215..\u2215outside/secret.txt", "division slash")]
    [InlineData("allowed/..\u2044outside", "fraction slash")]
    [InlineData("allowed/\uFF0E\uFF0E/outside/secret.txt", "fullwidth full stop")]
    [InlineData("allowed/\u2024\u2024/outside/secret.txt", "one dot leader")]
    [InlineData("allowed/\u2025/outside/secret.txt", "two dot leader")]
    [InlineData("allowed/docs\uFF3C..\uFF3C..\uFF3Coutside", "fullwidth reverse solidus")]
    [InlineData("allowed/docs\u00A5..", "yen sign (backslash in Japanese code pages)")]
    [InlineData("allowed/docs/readme\u202Etxt.exe", "right-to-left override")]
    [InlineData("allowed/do\u200Bcs/readme.txt", "zero-width space")]
    [InlineData("allowed\\..\\outside\\secret.txt", "backslash traversal")]
    [InlineData("allowed/docs/readme.txt.", "trailing dot")]
    [InlineData("allowed/docs/readme.txt ", "trailing space")]
    [InlineData("allowed/docs./readme.txt", "trailing dot in a folder")]
    [InlineData("allowed/.../readme.txt", "three dots")]
    public void Ambiguous_or_look_alike_path_is_refused(string relative, string what)
        => Assert.True(_check.Evaluate(_tree.At(relative)) == PathVerdict.Malformed, what);

    [Theory]
    [InlineData("\\\\?\\C:\\Windows\\System32")]
    [InlineData("\\\\.\\PhysicalDrive0")]
    [InlineData("\\\\server\\share\\file")]
    [InlineData("//server/share/file")]
    [InlineData("")]
    public void Device_unc_and_empty_paths_are_refused(string path)
        => Assert.Equal(PathVerdict.Malformed, _check.Evaluate(path));

    [Fact]
    public void Percent_encoding_is_not_decoded_so_it_names_a_file_literally()
    {
        // "%2e%2e" is a three-character name inside the allowed folder, not "..": the OS never URL-decodes paths.
        Assert.Equal(PathVerdict.Allowed, _check.Evaluate(_tree.At("allowed/%2e%2e/%2e%2e/outside/secret.txt")));
        Assert.Equal(PathVerdict.NotAllowed, _check.Evaluate(_tree.At("allowed/%2e%2e/../../outside/secret.txt")));
    }

    [Fact]
    public void Relative_path_resolves_against_the_root()
    {
        var check = Compile(allow: ["**"], root: _tree.Allowed, deny: [_tree.Outside + "/**"]);

        Assert.Equal(PathVerdict.Allowed, check.Evaluate("docs/readme.txt"));
        Assert.Equal(PathVerdict.Denied, check.Evaluate("../outside/secret.txt"));
        Assert.Equal(PathVerdict.Denied, check.Evaluate("escape/secret.txt"));
    }

    [Fact]
    public void Relative_glob_resolves_against_the_root()
    {
        var check = Compile(allow: ["docs/**"], root: _tree.Allowed);

        Assert.Equal(PathVerdict.Allowed, check.Evaluate("docs/readme.txt"));
        Assert.Equal(PathVerdict.Allowed, check.Evaluate(_tree.At("allowed/docs/readme.txt")));
        Assert.Equal(PathVerdict.NotAllowed, check.Evaluate("../outside/secret.txt"));
        Assert.Equal(PathVerdict.NotAllowed, check.Evaluate("escape/secret.txt"));
    }

    [Fact]
    public void Relative_path_without_a_root_is_refused()
        => Assert.Equal(PathVerdict.RelativeWithoutRoot, _check.Evaluate("allowed/docs/readme.txt"));

    [Fact]
    public void Deny_wins_over_allow()
    {
        var check = Compile(allow: [_tree.Allowed + "/**"], deny: ["**/*.txt"]);

        Assert.Equal(PathVerdict.Denied, check.Evaluate(_tree.At("allowed/docs/readme.txt")));
        Assert.Equal(PathVerdict.Allowed, check.Evaluate(_tree.At("allowed/docs")));
    }

    [Fact]
    public void Deny_applies_to_the_resolved_path_and_to_the_path_as_written()
    {
        var check = Compile(allow: [_tree.Allowed + "/**"], deny: [_tree.Allowed + "/docs/**"]);

        Assert.Equal(PathVerdict.Denied, check.Evaluate(_tree.At("allowed/inner-link/readme.txt")));
        Assert.Equal(PathVerdict.Denied, check.Evaluate(_tree.At("allowed/docs/readme.txt")));
    }

    [Fact]
    public void Without_allow_any_path_not_denied_is_accepted()
    {
        var check = Compile(deny: ["**/.ssh/**"]);

        Assert.Equal(PathVerdict.Allowed, check.Evaluate(_tree.At("outside/secret.txt")));
        Assert.Equal(PathVerdict.Denied, check.Evaluate("/home/u/.ssh/id_rsa"));
        Assert.Equal(PathVerdict.Denied, check.Evaluate("/home/u/.ssh"));
    }

    [Fact]
    public void Empty_allow_list_accepts_nothing()
        => Assert.Equal(PathVerdict.NotAllowed, Compile(allow: []).Evaluate(_tree.At("allowed/docs/readme.txt")));

    [Fact]
    public void Star_stays_within_one_segment_and_double_star_spans_any_depth()
    {
        var check = Compile(allow: [_tree.Allowed + "/*/readme.txt", _tree.Allowed + "/**/deep/*.log"]);

        Assert.Equal(PathVerdict.Allowed, check.Evaluate(_tree.At("allowed/docs/readme.txt")));
        Assert.Equal(PathVerdict.NotAllowed, check.Evaluate(_tree.At("allowed/docs/sub/readme.txt")));
        Assert.Equal(PathVerdict.Allowed, check.Evaluate(_tree.At("allowed/deep/a.log")));
        Assert.Equal(PathVerdict.Allowed, check.Evaluate(_tree.At("allowed/a/b/c/deep/a.log")));
        Assert.Equal(PathVerdict.NotAllowed, check.Evaluate(_tree.At("allowed/a/deep/x/a.log")));
    }

    [Fact]
    public void Allowed_folder_reached_through_a_linked_prefix_matches()
    {
        // The glob names the folder through a link (like /tmp on macOS); the resolved path still matches.
        var linkedBase = Path.Combine(_tree.Base, "elsewhere", "base-link");
        if (!File.Exists(linkedBase) && !Directory.Exists(linkedBase))
        {
            File.CreateSymbolicLink(linkedBase, _tree.Base);
        }

        var check = Compile(allow: [linkedBase + "/allowed/**"]);

        Assert.Equal(PathVerdict.Allowed, check.Evaluate(linkedBase + "/allowed/docs/readme.txt"));
        Assert.Equal(PathVerdict.NotAllowed, check.Evaluate(linkedBase + "/allowed/escape/secret.txt"));
    }

    [Fact]
    public void Case_follows_the_operating_system()
    {
        var upper = _tree.At("ALLOWED/docs/readme.txt");
        var expected = PathPlatform.Current.CaseSensitive ? PathVerdict.NotAllowed : PathVerdict.Allowed;
        Assert.Equal(expected, _check.Evaluate(upper));
    }

    [Theory]
    [InlineData("42")]
    [InlineData("null")]
    [InlineData("true")]
    [InlineData("{}")]
    public void Value_that_is_not_a_string_cannot_be_judged(string json)
        => Assert.Null(_check.Check(JsonDocument.Parse(json).RootElement));

    [Fact]
    public void Undecodable_string_cannot_be_judged_and_does_not_throw()
        => Assert.Null(_check.Check(JsonDocument.Parse("\"/srv/\\ud800\"").RootElement));

    [Fact]
    public void Description_names_the_globs()
    {
        Assert.Equal(
            "must be a path matching /srv/data/** and not **/*.key, after resolving symbolic links",
            Compile(allow: ["/srv/data/**"], deny: ["**/*.key"]).Description);
        Assert.Equal(
            "must be a path not matching **/.ssh/**, through no symbolic link",
            Compile(deny: ["**/.ssh/**"], followSymlinks: false).Description);
    }

    [Theory]
    [InlineData("""{ "allow": ["srv/**"] }""", "$.allow[0]", "relative")]
    [InlineData("""{ "allow": ["/srv/a**b"] }""", "$.allow[0]", "whole segment")]
    [InlineData("""{ "allow": ["/srv/../etc/**"] }""", "$.allow[0]", "'.' or '..'")]
    [InlineData("""{ "deny": ["/srv/\u0000"] }""", "$.deny[0]", "NUL")]
    [InlineData("""{ "root": "srv" }""", "$.root", "absolute")]
    [InlineData("""{ "allow": "/srv/**" }""", "$.allow", "array of strings")]
    [InlineData("""{ "allow": [""] }""", "$.allow[0]", "non-empty string")]
    [InlineData("""{ "followSymlinks": "yes" }""", "$.followSymlinks", "true or false")]
    [InlineData("""{ "prefix": "/srv" }""", "$.prefix", "unknown key")]
    [InlineData("""{ "allow": [], "ALLOW": [] }""", "$.ALLOW", "twice")]
    [InlineData("""["/srv/**"]""", "$", "expects an object")]
    public void Invalid_settings_are_reported_under_their_key(string settings, string path, string message)
    {
        var error = Assert.Single(CompileError(settings).Errors);
        Assert.Equal(path, error.Path);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_from_configuration_arrive_as_strings()
    {
        // IConfiguration: booleans as strings, keys in any casing, an empty list as "".
        var check = Compile(new Dictionary<string, object> { ["Allow"] = new[] { _tree.Allowed + "/**" }, ["FOLLOWSYMLINKS"] = "False", ["deny"] = "" });

        Assert.Equal(PathVerdict.SymbolicLinkRefused, check.Evaluate(_tree.At("allowed/rel-link/readme.txt")));
        Assert.Equal(PathVerdict.Allowed, check.Evaluate(_tree.At("allowed/docs/readme.txt")));
    }
}
