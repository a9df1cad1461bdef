namespace McpPolicy.Schemas.Constraints;

/// <summary>The path rules of one operating system: separators, drive letters and how names compare.</summary>
internal sealed class PathPlatform
{
    private PathPlatform(bool windows, bool caseSensitive, bool normalizeToNfc)
    {
        IsWindows = windows;
        CaseSensitive = caseSensitive;
        NormalizeToNfc = normalizeToNfc;
    }

    /// <summary>Linux and other POSIX systems: '/' only, case-sensitive, names taken byte for byte.</summary>
    public static PathPlatform Posix { get; } = new(windows: false, caseSensitive: true, normalizeToNfc: false);

    /// <summary>macOS: POSIX syntax on a case-insensitive, normalization-insensitive file system (the APFS and HFS+ default).</summary>
    public static PathPlatform MacOS { get; } = new(windows: false, caseSensitive: false, normalizeToNfc: true);

    /// <summary>Windows: '\' and '/', drive letters, case-insensitive names.</summary>
    public static PathPlatform Windows { get; } = new(windows: true, caseSensitive: false, normalizeToNfc: false);

    /// <summary>The platform this process runs on.</summary>
    public static PathPlatform Current { get; } = OperatingSystem.IsWindows() ? Windows : OperatingSystem.IsMacOS() ? MacOS : Posix;

    public bool IsWindows { get; }

    public bool CaseSensitive { get; }

    public bool NormalizeToNfc { get; }

    public char Separator => IsWindows ? '\\' : '/';

    /// <summary>The longest path accepted, in UTF-16 units (PATH_MAX on Linux; the long-path limit on Windows).</summary>
    public int MaxLength => IsWindows ? 32_767 : 4_096;

    public bool IsSeparator(char c) => c == '/' || (IsWindows && c == '\\');

    /// <summary>The operating-system form of an absolute path given as segments (on Windows the first is the drive, <c>C:</c>).</summary>
    public string Format(IReadOnlyList<string> segments)
    {
        if (!IsWindows)
        {
            return "/" + string.Join('/', segments);
        }

        return segments.Count == 1 ? segments[0] + "\\" : string.Join('\\', segments);
    }
}
