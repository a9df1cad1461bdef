using System.Globalization;
using System.Text;

namespace McpPolicy.Schemas.Constraints;

/// <summary>A path split into segments: absolute (on Windows with its drive) or relative. Segments may still be '.' or '..'.</summary>
/// <param name="Drive">The drive of an absolute Windows path, upper-case with its colon (<c>C:</c>); null elsewhere.</param>
/// <param name="IsAbsolute">True for an absolute path.</param>
/// <param name="Segments">The names between separators; empty names (repeated separators) are already dropped.</param>
internal readonly record struct ParsedPath(string? Drive, bool IsAbsolute, string[] Segments);

/// <summary>
/// The textual rules a path must pass before it is resolved. They refuse every form whose meaning differs between the
/// policy and the tool, or between operating systems, instead of guessing: control characters (NUL), invisible formatting
/// characters, characters that look like a separator, dot or colon (fullwidth solidus and the like, which some tools and
/// Windows' best-fit code-page mapping turn into the real thing), UNC and device forms (<c>\\server\share</c>,
/// <c>\\?\</c>, <c>//host</c>), names ending in a dot or space (Windows drops them, POSIX keeps them), and on Windows
/// drive-relative paths, alternate data streams, reserved device names and 8.3 short names. Backslashes are refused on
/// POSIX, where they are not separators but a Windows tool would read them as such. Nothing is URL-decoded:
/// <c>%2e%2e</c> is a three-character name.
/// </summary>
internal static class PathSyntax
{
    private static readonly Lazy<bool[]> LookAlikes = new(BuildLookAlikes);

    private static readonly HashSet<string> WindowsDeviceNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "CLOCK$",
        "COM0", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9", "COM¹", "COM²", "COM³",
        "LPT0", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9", "LPT¹", "LPT²", "LPT³",
    };

    /// <summary>Splits and checks a path. Globs may contain '*' and whole '**' segments, but no '.' or '..' segments.</summary>
    public static bool TryParse(string value, PathPlatform platform, bool glob, out ParsedPath path, out string error)
    {
        path = default;
        if (value.Length == 0)
        {
            error = "the path is empty";
            return false;
        }

        if (value.Length > platform.MaxLength)
        {
            error = $"the path is longer than {platform.MaxLength} characters";
            return false;
        }

        if (value.Length >= 2 && platform.IsSeparator(value[0]) && (platform.IsSeparator(value[1]) || value[1] == '\\'))
        {
            error = "UNC and device paths (\\\\server\\share, \\\\?\\, //host) are not accepted";
            return false;
        }

        if (!CheckCharacters(value, platform, glob, out error))
        {
            return false;
        }

        string? drive = null;
        bool absolute;
        var rest = value;
        if (platform.IsWindows)
        {
            if (value.Length >= 2 && char.IsAsciiLetter(value[0]) && value[1] == ':')
            {
                if (value.Length == 2 || !platform.IsSeparator(value[2]))
                {
                    error = "drive-relative paths (C:name) are not accepted";
                    return false;
                }

                drive = char.ToUpperInvariant(value[0]) + ":";
                absolute = true;
                rest = value[3..];
            }
            else if (platform.IsSeparator(value[0]))
            {
                error = "a path rooted without a drive (\\name) depends on the current drive and is not accepted";
                return false;
            }
            else
            {
                absolute = false;
            }

            if (rest.Contains(':', StringComparison.Ordinal))
            {
                error = "a colon is only accepted after the drive letter (alternate data streams are not accepted)";
                return false;
            }
        }
        else
        {
            absolute = value[0] == '/';
        }

        var segments = new List<string>();
        var start = 0;
        for (var i = 0; i <= rest.Length; i++)
        {
            if (i < rest.Length && !platform.IsSeparator(rest[i]))
            {
                continue;
            }

            if (i > start)
            {
                var segment = rest[start..i];
                if (!CheckSegment(segment, platform, glob, out error))
                {
                    return false;
                }

                segments.Add(platform.NormalizeToNfc ? segment.Normalize(NormalizationForm.FormC) : segment);
            }

            start = i + 1;
        }

        path = new ParsedPath(drive, absolute, segments.ToArray());
        error = "";
        return true;
    }

    /// <summary>Applies '.' and '..' to an absolute path without looking at the file system ('..' at the root stays there).</summary>
    /// <param name="segments">The absolute path; on Windows the first segment is the drive and is kept.</param>
    /// <param name="rootCount">1 on Windows (the drive), 0 elsewhere.</param>
    public static string[] Lexical(IEnumerable<string> segments, int rootCount)
    {
        var result = new List<string>();
        foreach (var segment in segments)
        {
            if (segment == ".")
            {
                continue;
            }

            if (segment == "..")
            {
                if (result.Count > rootCount)
                {
                    result.RemoveAt(result.Count - 1);
                }

                continue;
            }

            result.Add(segment);
        }

        return result.ToArray();
    }

    private static bool CheckCharacters(string value, PathPlatform platform, bool glob, out string error)
    {
        var lookAlikes = LookAlikes.Value;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c < 0x20 || (c >= 0x7F && c <= 0x9F))
            {
                error = c == '\0' ? "the path contains a NUL character" : "the path contains a control character";
                return false;
            }

            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
                continue;
            }

            if (char.IsSurrogate(c))
            {
                error = "the path contains an unpaired surrogate";
                return false;
            }

            if (c >= 0x80)
            {
                var category = char.GetUnicodeCategory(c);
                if (category is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
                {
                    error = string.Create(CultureInfo.InvariantCulture, $"the path contains the invisible formatting character U+{(int)c:X4}");
                    return false;
                }

                if (lookAlikes[c])
                {
                    error = string.Create(CultureInfo.InvariantCulture, $"the path contains U+{(int)c:X4}, which looks like or normalizes to a separator, dot or colon");
                    return false;
                }
            }

            if (!platform.IsWindows && c == '\\')
            {
                error = "the path contains a backslash, which is a separator on Windows but a name character here";
                return false;
            }

            if (platform.IsWindows && (c is '<' or '>' or '"' or '|' or '?' || (c == '*' && !glob)))
            {
                error = $"the path contains '{c}', which Windows does not allow in names";
                return false;
            }
        }

        error = "";
        return true;
    }

    private static bool CheckSegment(string segment, PathPlatform platform, bool glob, out string error)
    {
        if (glob)
        {
            if (segment is "." or "..")
            {
                error = "a glob must not contain '.' or '..' segments";
                return false;
            }

            if (segment != "**" && segment.Contains("**", StringComparison.Ordinal))
            {
                error = "'**' must be a whole segment, as in /srv/**/logs";
                return false;
            }
        }

        if (segment is "." or "..")
        {
            error = "";
            return true;
        }

        if (segment[^1] is '.' or ' ')
        {
            error = $"the name '{segment}' ends in a dot or a space, which Windows drops and POSIX keeps";
            return false;
        }

        if (platform.IsWindows)
        {
            var dot = segment.IndexOf('.', StringComparison.Ordinal);
            var stem = (dot < 0 ? segment : segment[..dot]).TrimEnd(' ');
            if (WindowsDeviceNames.Contains(stem))
            {
                error = $"the name '{segment}' is a Windows device name";
                return false;
            }

            var tilde = segment.IndexOf('~', StringComparison.Ordinal);
            if (tilde >= 0 && tilde + 1 < segment.Length && char.IsAsciiDigit(segment[tilde + 1]))
            {
                error = $"the name '{segment}' looks like an 8.3 short name, which can stand for another name";
                return false;
            }
        }

        error = "";
        return true;
    }

    private static bool[] BuildLookAlikes()
    {
        var table = new bool[char.MaxValue + 1];
        for (var c = 0x80; c <= char.MaxValue; c++)
        {
            if (char.IsSurrogate((char)c))
            {
                continue;
            }

            var text = ((char)c).ToString();
            string folded;
            try
            {
                folded = text.Normalize(NormalizationForm.FormKC);
            }
            catch (ArgumentException)
            {
                table[c] = true;
                continue;
            }

            table[c] = folded.AsSpan().IndexOfAny("/\\.:") >= 0;
        }

        // Characters that do not normalize to a separator or dot but are shown as, or best-fit mapped to, one: division
        // slash, fraction slash, big solidi, set minus, yen and won signs (the backslash of Japanese and Korean code pages),
        // ideographic full stops.
        foreach (var c in "\u2215\u2044\u29F8\u29F9\u2216\u00A5\u20A9\u3002\uFF61\u2236\uA789")
        {
            table[c] = true;
        }

        return table;
    }
}
