namespace McpPolicy.Schemas.Constraints;

/// <summary>
/// A compiled path glob: '**' as a whole segment matches any number of segments (including none, so <c>/srv/data/**</c>
/// matches <c>/srv/data</c> itself), '*' matches any run of characters within one segment. There are no other wildcards.
/// A glob is kept both as written and with the symbolic links in its literal prefix resolved (so <c>/tmp/x/**</c> also
/// covers <c>/private/tmp/x</c> on macOS), since a checked path is compared both as written and resolved.
/// </summary>
internal sealed class PathGlob
{
    private readonly string[][] _variants;
    private readonly bool _ignoreCase;

    private PathGlob(string text, string[][] variants, bool ignoreCase)
    {
        Text = text;
        _variants = variants;
        _ignoreCase = ignoreCase;
    }

    /// <summary>The glob as the policy wrote it.</summary>
    public string Text { get; }

    /// <summary>Compiles a glob. A relative glob resolves against <paramref name="root"/>, except one that starts with '**', which matches at any depth.</summary>
    public static PathGlob? Compile(string text, string[]? root, PathPlatform platform, out string error)
    {
        if (!PathSyntax.TryParse(text, platform, glob: true, out var parsed, out error))
        {
            error = $"the glob '{text}' is invalid: {error}";
            return null;
        }

        string[] segments;
        if (parsed.IsAbsolute)
        {
            segments = platform.IsWindows ? [parsed.Drive!, .. parsed.Segments] : parsed.Segments;
        }
        else if (parsed.Segments.Length > 0 && parsed.Segments[0] == "**")
        {
            segments = parsed.Segments;
        }
        else if (root is not null)
        {
            segments = [.. root, .. parsed.Segments];
        }
        else
        {
            error = $"the glob '{text}' is relative; give an absolute glob, start it with '**', or set 'root'";
            return null;
        }

        var variants = new List<string[]> { segments };
        var literal = 0;
        while (literal < segments.Length && !segments[literal].Contains('*', StringComparison.Ordinal))
        {
            literal++;
        }

        var rootCount = platform.IsWindows ? 1 : 0;
        if (literal > rootCount
            && PathResolver.Resolve(segments[..literal], platform, followLinks: true, out var resolvedPrefix) == PathResolveFailure.None)
        {
            string[] resolved = [.. resolvedPrefix, .. segments[literal..]];
            if (!resolved.SequenceEqual(segments, platform.CaseSensitive ? StringComparer.Ordinal : StringComparer.OrdinalIgnoreCase))
            {
                variants.Add(resolved);
            }
        }

        return new PathGlob(text, variants.ToArray(), !platform.CaseSensitive);
    }

    /// <summary>True when the absolute path (on Windows with its drive first) matches the glob as written or resolved.</summary>
    public bool Matches(string[] path)
    {
        foreach (var variant in _variants)
        {
            if (MatchSegments(variant, path))
            {
                return true;
            }
        }

        return false;
    }

    private bool MatchSegments(string[] glob, string[] path)
    {
        // Greedy matching with backtracking to the last '**' only: linear in practice, never exponential.
        int g = 0, p = 0, starG = -1, starP = 0;
        while (p < path.Length)
        {
            if (g < glob.Length && glob[g] == "**")
            {
                starG = g++;
                starP = p;
            }
            else if (g < glob.Length && MatchSegment(glob[g], path[p]))
            {
                g++;
                p++;
            }
            else if (starG >= 0)
            {
                g = starG + 1;
                p = ++starP;
            }
            else
            {
                return false;
            }
        }

        while (g < glob.Length && glob[g] == "**")
        {
            g++;
        }

        return g == glob.Length;
    }

    private bool MatchSegment(string pattern, string name)
    {
        int pi = 0, ni = 0, star = -1, mark = 0;
        while (ni < name.Length)
        {
            if (pi < pattern.Length && pattern[pi] == '*')
            {
                star = pi++;
                mark = ni;
            }
            else if (pi < pattern.Length && Same(pattern[pi], name[ni]))
            {
                pi++;
                ni++;
            }
            else if (star >= 0)
            {
                pi = star + 1;
                ni = ++mark;
            }
            else
            {
                return false;
            }
        }

        while (pi < pattern.Length && pattern[pi] == '*')
        {
            pi++;
        }

        return pi == pattern.Length;
    }

    private bool Same(char a, char b) => a == b || (_ignoreCase && char.ToUpperInvariant(a) == char.ToUpperInvariant(b));
}
