using System.Text.Json;

namespace McpPolicy.Schemas.Constraints;

/// <summary>The settings of a <c>path</c> constraint, from a policy or from <see cref="AllowedPathsAttribute"/>.</summary>
/// <param name="Allow">Globs the path must match; null allows any path that no deny glob matches.</param>
/// <param name="Deny">Globs the path must not match; they win over allow globs.</param>
/// <param name="Root">The absolute folder relative paths (and relative globs) resolve against; without one a relative path is refused.</param>
/// <param name="FollowSymlinks">True: links are resolved and the target is checked. False: a path through any link is refused.</param>
internal sealed record PathConstraintSettings(IReadOnlyList<string>? Allow, IReadOnlyList<string> Deny, string? Root, bool FollowSymlinks);

/// <summary>What a path check found.</summary>
internal enum PathVerdict
{
    Allowed,
    Malformed,
    RelativeWithoutRoot,
    SymbolicLinkRefused,
    TooManyLinks,
    Unresolvable,
    Denied,
    NotAllowed,
}

/// <summary>
/// A compiled <c>path</c> constraint. A value is accepted when it passes <see cref="PathSyntax"/>, and both the path as
/// written (with '.' and '..' applied to the text) and the path as the file system resolves it (every symbolic link in
/// its existing part followed, see <see cref="PathResolver"/>) match an allow glob and no deny glob. Checking both keeps
/// a link inside an allowed folder from reaching outside it, and a link outside from borrowing an allowed target.
/// </summary>
internal sealed class PathCheck : IArgumentCheck
{
    private readonly PathGlob[]? _allow;
    private readonly PathGlob[] _deny;
    private readonly string[]? _root;
    private readonly bool _followSymlinks;
    private readonly PathPlatform _platform;

    private PathCheck(PathGlob[]? allow, PathGlob[] deny, string[]? root, bool followSymlinks, PathPlatform platform, string description)
    {
        _allow = allow;
        _deny = deny;
        _root = root;
        _followSymlinks = followSymlinks;
        _platform = platform;
        Description = description;
    }

    /// <inheritdoc />
    public string Description { get; }

    /// <summary>Compiles settings; problems are collected in <paramref name="reader"/> and the result is null when there are any.</summary>
    public static PathCheck? Compile(PathConstraintSettings settings, PathPlatform platform, ConstraintSettingsReader reader)
    {
        string[]? root = null;
        if (settings.Root is { } rootText)
        {
            if (!PathSyntax.TryParse(rootText, platform, glob: false, out var parsed, out var error))
            {
                reader.Error("$.root", $"the root '{rootText}' is invalid: {error}");
            }
            else if (!parsed.IsAbsolute || parsed.Segments.Any(s => s is "." or ".."))
            {
                reader.Error("$.root", $"the root '{rootText}' must be an absolute path without '.' or '..'");
            }
            else
            {
                root = platform.IsWindows ? [parsed.Drive!, .. parsed.Segments] : parsed.Segments;
            }
        }

        var allow = CompileGlobs(settings.Allow, "allow", root, platform, reader);
        var deny = CompileGlobs(settings.Deny, "deny", root, platform, reader) ?? [];
        if (reader.HasErrors)
        {
            return null;
        }

        var description = "must be a path"
            + (allow is null ? "" : allow.Length == 0 ? " in no folder (the allow list is empty)" : " matching " + string.Join(", ", allow.Select(g => g.Text)))
            + (deny.Length == 0 ? "" : (allow is null ? " not matching " : " and not ") + string.Join(", ", deny.Select(g => g.Text)))
            + (settings.FollowSymlinks ? ", after resolving symbolic links" : ", through no symbolic link");
        return new PathCheck(allow, deny, root, settings.FollowSymlinks, platform, description);
    }

    /// <inheritdoc />
    public bool? Check(JsonElement value)
    {
        if (!ConstraintText.TryGet(value, out var text))
        {
            return null;
        }

        return Evaluate(text) == PathVerdict.Allowed;
    }

    /// <summary>Checks one path and says why it is refused.</summary>
    public PathVerdict Evaluate(string text)
    {
        if (!PathSyntax.TryParse(text, _platform, glob: false, out var parsed, out _))
        {
            return PathVerdict.Malformed;
        }

        string[] full;
        if (parsed.IsAbsolute)
        {
            full = _platform.IsWindows ? [parsed.Drive!, .. parsed.Segments] : parsed.Segments;
        }
        else if (_root is not null)
        {
            full = [.. _root, .. parsed.Segments];
        }
        else
        {
            return PathVerdict.RelativeWithoutRoot;
        }

        var lexical = PathSyntax.Lexical(full, _platform.IsWindows ? 1 : 0);
        switch (PathResolver.Resolve(full, _platform, _followSymlinks, out var resolved))
        {
            case PathResolveFailure.None:
                break;
            case PathResolveFailure.SymbolicLinkRefused:
                return PathVerdict.SymbolicLinkRefused;
            case PathResolveFailure.TooManyLinks:
                return PathVerdict.TooManyLinks;
            default:
                return PathVerdict.Unresolvable;
        }

        foreach (var glob in _deny)
        {
            if (glob.Matches(lexical) || glob.Matches(resolved))
            {
                return PathVerdict.Denied;
            }
        }

        if (_allow is not null && !(AnyMatches(_allow, lexical) && AnyMatches(_allow, resolved)))
        {
            return PathVerdict.NotAllowed;
        }

        return PathVerdict.Allowed;
    }

    private static bool AnyMatches(PathGlob[] globs, string[] path)
    {
        foreach (var glob in globs)
        {
            if (glob.Matches(path))
            {
                return true;
            }
        }

        return false;
    }

    private static PathGlob[]? CompileGlobs(IReadOnlyList<string>? globs, string key, string[]? root, PathPlatform platform, ConstraintSettingsReader reader)
    {
        if (globs is null)
        {
            return null;
        }

        var result = new List<PathGlob>();
        for (var i = 0; i < globs.Count; i++)
        {
            var glob = PathGlob.Compile(globs[i], root, platform, out var error);
            if (glob is null)
            {
                reader.Error($"$.{key}[{i}]", error);
            }
            else
            {
                result.Add(glob);
            }
        }

        return result.ToArray();
    }
}
