using System.Runtime.InteropServices;
using FsCheck;
using FsCheck.Fluent;
using McpPolicy.Schemas.Constraints;

namespace McpPolicy.Schemas.Tests.Constraints;

/// <summary>
/// No generated path that really lies outside the allowed folder is ever accepted. "Really" is decided by an independent
/// reference: the C library's realpath(3), that is, the kernel resolving the path in the same temp tree, with a missing
/// tail applied the way mkdir -p would create it.
/// </summary>
public sealed class PathPropertyTests : IClassFixture<LinkTree>
{
    /// <summary>Names of the tree (files, folders, links in and out, loops) and the navigation segments.</summary>
    private static readonly string[] TreeSegments =
    [
        "..", ".", "", "docs", "readme.txt", "new.txt", "inner-link", "rel-link", "escape", "escape-abs", "secret-link",
        "dangling", "up", "loop-a", "self", "outside", "secret.txt", "allowed", "elsewhere", "link-into-allowed",
    ];

    /// <summary>Odd names: encodings, look-alikes, control and formatting characters, Windows-significant endings.</summary>
    private static readonly string[] OddSegments =
    [
        "%2e%2e", "..\uFF0F..", "\uFF0E\uFF0E", "\u2024\u2024", "a\u0000b", "x.", "x ", "caf\u00E9", "cafe\u0301", "\u202E",
        "...", "~", "*", "a\\..\\..", "\u00A0", "\uD800", "\n",
    ];

    private readonly LinkTree _tree;

    public PathPropertyTests(LinkTree tree)
    {
        _tree = tree;
    }

    private static Arbitrary<(bool FromBase, string[] Path)> Paths =>
        Gen.Choose(0, 8)
            .SelectMany(length => Gen.Frequency((6, Gen.Elements(TreeSegments)), (1, Gen.Elements(OddSegments))).ArrayOf(length))
            .SelectMany(path => ArbMap.Default.GeneratorFor<bool>().Select(fromBase => (fromBase, path)))
            .ToArbitrary();

    [Fact]
    public void No_path_outside_the_allowed_folder_is_ever_accepted()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // realpath(3) is the reference; Windows has no libc equivalent here.
        }

        var check = (PathCheck)new PathConstraintKind().Compile(System.Text.Json.JsonSerializer.SerializeToElement(new { allow = new[] { _tree.Allowed + "/**" } }));
        var allowedReal = Reference(_tree.Allowed);
        var accepted = 0;

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(5000), Prop.ForAll(Paths, c =>
        {
            var text = (c.FromBase ? _tree.Base : _tree.Allowed) + "/" + string.Join('/', c.Path);
            if (check.Evaluate(text) != PathVerdict.Allowed)
            {
                return true;
            }

            accepted++;
            var real = Reference(text);
            return real == Unreachable || real == allowedReal || real.StartsWith(allowedReal + "/", StringComparison.Ordinal);
        }));

        Assert.True(accepted > 150, $"only {accepted} generated paths were accepted; the property says little");
    }

    [Fact]
    public void Checking_never_throws_for_any_string()
    {
        var check = (PathCheck)new PathConstraintKind().Compile(System.Text.Json.JsonSerializer.SerializeToElement(new { allow = new[] { _tree.Allowed + "/**" }, root = _tree.Allowed }));

        // A check that throws would fail the property; the verdict itself does not matter here.
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(1000), Prop.ForAll(ArbMap.Default.ArbFor<string>(), s =>
        {
            _ = check.Check(System.Text.Json.JsonSerializer.SerializeToElement(s ?? ""));
            _ = check.Check(System.Text.Json.JsonSerializer.SerializeToElement(_tree.Allowed + "/" + s));
            return true;
        }));
    }

    /// <summary>
    /// The kernel's answer: realpath(3) of the path. When a component is missing, the reference of its parent followed by
    /// the last name ('..' and '.' applied to the resolved parent, a dangling link followed), as mkdir -p would create it.
    /// <see cref="Unreachable"/> when the kernel cannot reach it at all (a loop, a file used as a folder): such a path names
    /// nothing, inside or out.
    /// </summary>
    private static string Reference(string path, int depth = 0)
    {
        if (depth > 64)
        {
            return Unreachable;
        }

        var resolved = NativeMethods.RealPath(path, out var errno);
        if (resolved is not null)
        {
            return resolved;
        }

        var trimmed = path.TrimEnd('/');
        var slash = trimmed.LastIndexOf('/');
        if (errno != NativeMethods.ENOENT || slash < 0)
        {
            return Unreachable;
        }

        var parent = Reference(slash == 0 ? "/" : trimmed[..slash], depth + 1);
        var name = trimmed[(slash + 1)..];
        if (parent == Unreachable)
        {
            return Unreachable;
        }

        if (name == ".")
        {
            return parent;
        }

        if (name == "..")
        {
            return parent == "/" ? "/" : parent[..Math.Max(1, parent.LastIndexOf('/'))];
        }

        var candidate = parent == "/" ? "/" + name : parent + "/" + name;
        var target = new FileInfo(candidate).LinkTarget;
        if (target is null)
        {
            return candidate;
        }

        return Reference(target.StartsWith('/') ? target : parent + "/" + target, depth + 1);
    }

    private const string Unreachable = "<unreachable>";

    private static class NativeMethods
    {
        public const int ENOENT = 2;

        public static string? RealPath(string path, out int errno)
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(path + "\0");
            var result = realpath(bytes, IntPtr.Zero);
            if (result == IntPtr.Zero)
            {
                errno = Marshal.GetLastPInvokeError();
                return null;
            }

            errno = 0;
            try
            {
                return Marshal.PtrToStringUTF8(result);
            }
            finally
            {
                free(result);
            }
        }

        [DllImport("libc", SetLastError = true)]
        private static extern IntPtr realpath(byte[] path, IntPtr resolved);

        [DllImport("libc")]
        private static extern void free(IntPtr pointer);
    }
}
