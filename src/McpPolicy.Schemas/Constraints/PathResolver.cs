namespace McpPolicy.Schemas.Constraints;

/// <summary>Why a path could not be resolved.</summary>
internal enum PathResolveFailure
{
    None,
    SymbolicLinkRefused,
    TooManyLinks,
    Unreadable,
    BadLinkTarget,
}

/// <summary>
/// Resolves an absolute path the way the kernel does: one segment at a time, following every symbolic link (and, on
/// Windows, junction) in the existing part of the path, and applying '..' to the resolved parent rather than to the text.
/// Segments that do not exist are appended as written. Links nest at most <see cref="MaxLinks"/> deep (Linux's limit),
/// so a loop fails cleanly.
/// </summary>
internal static class PathResolver
{
    public const int MaxLinks = 40;

    /// <summary>Resolves <paramref name="segments"/> (absolute; on Windows the first is the drive).</summary>
    /// <param name="segments">The path; may contain '.' and '..'.</param>
    /// <param name="platform">The path rules.</param>
    /// <param name="followLinks">False: the first link met fails the resolution.</param>
    /// <param name="resolved">The resolved path, on success.</param>
    /// <returns><see cref="PathResolveFailure.None"/> on success.</returns>
    public static PathResolveFailure Resolve(IReadOnlyList<string> segments, PathPlatform platform, bool followLinks, out string[] resolved)
    {
        resolved = [];
        var rootCount = platform.IsWindows ? 1 : 0;
        var current = new List<string>(segments.Count);
        var pending = new Stack<string>();
        for (var i = segments.Count - 1; i >= rootCount; i--)
        {
            pending.Push(segments[i]);
        }

        if (platform.IsWindows)
        {
            current.Add(segments[0]);
        }

        var links = 0;
        while (pending.TryPop(out var segment))
        {
            if (segment == ".")
            {
                continue;
            }

            if (segment == "..")
            {
                if (current.Count > rootCount)
                {
                    current.RemoveAt(current.Count - 1);
                }

                continue;
            }

            current.Add(segment);
            var probe = Probe(platform.Format(current), out var target);
            if (probe == ProbeResult.Unreadable)
            {
                return PathResolveFailure.Unreadable;
            }

            if (probe != ProbeResult.Link)
            {
                continue;
            }

            if (!followLinks)
            {
                return PathResolveFailure.SymbolicLinkRefused;
            }

            if (++links > MaxLinks)
            {
                return PathResolveFailure.TooManyLinks;
            }

            current.RemoveAt(current.Count - 1);
            if (!TryParseTarget(target!, platform, out var parsed))
            {
                return PathResolveFailure.BadLinkTarget;
            }

            if (parsed.IsAbsolute)
            {
                current.Clear();
                if (platform.IsWindows)
                {
                    current.Add(parsed.Drive!);
                }
            }

            for (var i = parsed.Segments.Length - 1; i >= 0; i--)
            {
                pending.Push(parsed.Segments[i]);
            }
        }

        resolved = current.ToArray();
        return PathResolveFailure.None;
    }

    private static bool TryParseTarget(string target, PathPlatform platform, out ParsedPath parsed)
    {
        if (platform.IsWindows)
        {
            // Junction and symbolic link targets may carry the Win32 or NT namespace prefix; a UNC target is refused below.
            if (target.StartsWith(@"\\?\", StringComparison.Ordinal) || target.StartsWith(@"\??\", StringComparison.Ordinal))
            {
                target = target[4..];
                if (target.StartsWith("UNC\\", StringComparison.OrdinalIgnoreCase))
                {
                    parsed = default;
                    return false;
                }
            }
        }

        // A link target is checked like any path: a target that could mean different things is not followed.
        return PathSyntax.TryParse(target, platform, glob: false, out parsed, out _);
    }

    private enum ProbeResult
    {
        Missing,
        Exists,
        Link,
        Unreadable,
    }

    private static ProbeResult Probe(string path, out string? target)
    {
        target = null;
        try
        {
            // GetAttributes does not follow a final link (lstat), so a link reports ReparsePoint.
            var attributes = File.GetAttributes(path);
            if ((attributes & FileAttributes.ReparsePoint) == 0)
            {
                return ProbeResult.Exists;
            }

            target = new FileInfo(path).LinkTarget;
            return target is null ? ProbeResult.Exists : ProbeResult.Link;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return ProbeResult.Missing;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return ProbeResult.Unreadable;
        }
    }
}
