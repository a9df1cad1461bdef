using McpPolicy.Schemas.Constraints;

namespace McpPolicy.Schemas.Tests.Constraints;

/// <summary>The textual path rules of each platform, checked without a file system (so the Windows rules run everywhere).</summary>
public sealed class PathSyntaxTests
{
    [Theory]
    [InlineData(@"\\?\C:\Windows\System32\config\SAM", "UNC")]
    [InlineData(@"\\.\PhysicalDrive0", "UNC")]
    [InlineData(@"\\?\UNC\server\share\x", "UNC")]
    [InlineData(@"\\server\share\file", "UNC")]
    [InlineData("//server/share/file", "UNC")]
    [InlineData(@"\/server/share", "UNC")]
    [InlineData(@"\??\C:\Windows", "does not allow")]
    [InlineData(@"\srv\data", "without a drive")]
    [InlineData("C:secret.txt", "drive-relative")]
    [InlineData(@"C:\srv\file.txt:hidden", "colon")]
    [InlineData(@"C:\srv\file.txt::$DATA", "colon")]
    [InlineData(@"C:\srv\CON", "device name")]
    [InlineData(@"C:\srv\nul.txt", "device name")]
    [InlineData(@"C:\srv\com1.log", "device name")]
    [InlineData("C:\\srv\\LPT\u00B9", "device name")]
    [InlineData(@"C:\srv\CONIN$", "device name")]
    [InlineData(@"C:\PROGRA~1\secret", "short name")]
    [InlineData(@"C:\srv\secret.txt.", "dot or a space")]
    [InlineData(@"C:\srv\secret.txt ", "dot or a space")]
    [InlineData(@"C:\srv\secret.txt. . .", "dot or a space")]
    [InlineData(@"C:\srv\a*b", "does not allow")]
    [InlineData(@"C:\srv\a?b", "does not allow")]
    [InlineData("C:\\srv\\a\"b", "does not allow")]
    [InlineData("C:\\srv\\a\u0000b", "NUL")]
    [InlineData("C:\\srv\\..\uFF0F..", "U+FF0F")]
    public void Windows_forms_that_can_mean_something_else_are_refused(string path, string message)
    {
        Assert.False(PathSyntax.TryParse(path, PathPlatform.Windows, glob: false, out _, out var error));
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Windows_path_splits_on_both_separators_and_keeps_an_upper_case_drive()
    {
        Assert.True(PathSyntax.TryParse(@"c:\srv/data\\x\..\y", PathPlatform.Windows, glob: false, out var parsed, out _));

        Assert.True(parsed.IsAbsolute);
        Assert.Equal("C:", parsed.Drive);
        Assert.Equal(["srv", "data", "x", "..", "y"], parsed.Segments);
        Assert.Equal(["C:", "srv", "data", "y"], PathSyntax.Lexical(["C:", .. parsed.Segments], rootCount: 1));
    }

    [Fact]
    public void Windows_globs_compare_without_case()
    {
        var glob = PathGlob.Compile(@"C:\Srv\Data\**", root: null, PathPlatform.Windows, out _)!;

        Assert.True(glob.Matches(["C:", "srv", "DATA", "x.txt"]));
        Assert.False(glob.Matches(["D:", "srv", "data", "x.txt"]));
    }

    [Fact]
    public void Posix_globs_compare_with_case()
    {
        var glob = PathGlob.Compile("/nonexistent-mcppolicy/Data/**", root: null, PathPlatform.Posix, out _)!;

        Assert.True(glob.Matches(["nonexistent-mcppolicy", "Data", "x"]));
        Assert.False(glob.Matches(["nonexistent-mcppolicy", "data", "x"]));
    }

    [Theory]
    [InlineData("/srv/a\\b")]
    [InlineData("/srv/..\\..\\etc")]
    public void Backslash_is_refused_on_posix(string path)
        => Assert.False(PathSyntax.TryParse(path, PathPlatform.Posix, glob: false, out _, out _));

    [Theory]
    [InlineData("/srv/CON")]
    [InlineData("/srv/aux.txt")]
    [InlineData("/srv/a:b")]
    [InlineData("/srv/PROGRA~1")]
    public void Windows_only_rules_do_not_apply_on_posix(string path)
        => Assert.True(PathSyntax.TryParse(path, PathPlatform.Posix, glob: false, out _, out _));

    [Fact]
    public void Lexical_dot_dot_at_the_root_stays_at_the_root()
        => Assert.Equal(["etc", "passwd"], PathSyntax.Lexical(["..", "..", "etc", ".", "passwd"], rootCount: 0));

    [Fact]
    public void MacOS_compares_names_in_one_normalization_form()
    {
        Assert.True(PathSyntax.TryParse("/srv/cafe\u0301", PathPlatform.MacOS, glob: false, out var decomposed, out _));
        Assert.Equal("caf\u00E9", decomposed.Segments[1]);
    }
}
