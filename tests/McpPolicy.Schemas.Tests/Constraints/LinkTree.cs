namespace McpPolicy.Schemas.Tests.Constraints;

/// <summary>
/// A real directory tree with symbolic links, created per test class in the system temp folder and deleted afterwards:
/// <code>
/// base/
///   allowed/
///     docs/readme.txt
///     inner-link  -> base/allowed/docs      (absolute, stays inside)
///     rel-link    -> docs                   (relative, stays inside)
///     escape      -> ../outside             (a folder link inside pointing outside)
///     escape-abs  -> base/outside           (the same, absolute)
///     secret-link -> ../outside/secret.txt  (a file link pointing outside)
///     dangling    -> ../outside/new.txt     (pointing outside at nothing yet)
///     up          -> ..                     (pointing at the parent of allowed)
///     loop-a      -> loop-b, loop-b -> loop-a, self -> self
///   outside/secret.txt
///   elsewhere/link-into-allowed -> base/allowed/docs
/// </code>
/// </summary>
public sealed class LinkTree : IDisposable
{
    public LinkTree()
    {
        Base = Directory.CreateTempSubdirectory("mcppolicy-paths-").FullName;
        Allowed = Path.Combine(Base, "allowed");
        Outside = Path.Combine(Base, "outside");
        Directory.CreateDirectory(Path.Combine(Allowed, "docs"));
        Directory.CreateDirectory(Outside);
        Directory.CreateDirectory(Path.Combine(Base, "elsewhere"));
        File.WriteAllText(Path.Combine(Allowed, "docs", "readme.txt"), "public");
        File.WriteAllText(Path.Combine(Outside, "secret.txt"), "secret");

        Link("allowed/inner-link", Path.Combine(Allowed, "docs"));
        Link("allowed/rel-link", "docs");
        Link("allowed/escape", "../outside");
        Link("allowed/escape-abs", Outside);
        Link("allowed/secret-link", "../outside/secret.txt");
        Link("allowed/dangling", "../outside/new.txt");
        Link("allowed/up", "..");
        Link("allowed/loop-a", "loop-b");
        Link("allowed/loop-b", "loop-a");
        Link("allowed/self", "self");
        Link("elsewhere/link-into-allowed", Path.Combine(Allowed, "docs"));
    }

    /// <summary>The temp folder holding the tree.</summary>
    public string Base { get; }

    /// <summary>The folder the tests allow.</summary>
    public string Allowed { get; }

    /// <summary>A sibling folder the tests do not allow.</summary>
    public string Outside { get; }

    /// <summary>An absolute path under <see cref="Base"/>, written with '/' as the tests write it.</summary>
    public string At(string relative) => Base + "/" + relative;

    public void Dispose() => Directory.Delete(Base, recursive: true);

    private void Link(string relative, string target) => File.CreateSymbolicLink(Path.Combine(Base, relative), target);
}
