using McpPolicy.Engine;

namespace McpPolicy;

/// <summary>
/// A compiled <c>server/tool</c> glob, as used by <c>match</c> keys: <c>*</c> matches any run of characters within its
/// segment (including <c>/</c> inside a tool name), there is no other wildcard, and matching is ordinal and case-sensitive.
/// For packages that add their own pattern-keyed settings (flow labels, chains, secret exemptions) on top of the policy;
/// <see cref="ToolPatternOptions.RequireSingleSlash"/> reads the stricter form some of them require.
/// </summary>
public sealed class ToolPattern
{
    private readonly Glob _glob;

    private ToolPattern(Glob glob)
    {
        _glob = glob;
    }

    /// <summary>The pattern as written.</summary>
    public string Text => _glob.Text;

    /// <summary>True when the pattern has no wildcard.</summary>
    public bool IsExact => _glob.IsExact;

    /// <summary>The number of characters that are not wildcards, the separating <c>/</c> included: more literal text means more specific.</summary>
    public int LiteralLength => _glob.LiteralLength;

    /// <summary>Parses a pattern with the syntax of a policy's <c>match</c> (<see cref="ToolPatternOptions.None"/>).</summary>
    /// <param name="text">The pattern, such as <c>fs/read_*</c>.</param>
    /// <param name="pattern">The pattern, when valid.</param>
    /// <param name="error">What is wrong, when invalid.</param>
    /// <returns>True when the pattern is valid.</returns>
    public static bool TryParse(string? text, out ToolPattern? pattern, out string? error)
        => TryParse(text, ToolPatternOptions.None, out pattern, out error);

    /// <summary>
    /// Parses a pattern. It must be a non-empty server segment, a <c>/</c> and a non-empty tool segment, without <c>**</c>;
    /// with <see cref="ToolPatternOptions.RequireSingleSlash"/> it must also have no other <c>/</c>. Nothing is trimmed.
    /// </summary>
    /// <param name="text">The pattern, such as <c>fs/read_*</c>.</param>
    /// <param name="options">How to read it.</param>
    /// <param name="pattern">The pattern, when valid.</param>
    /// <param name="error">What is wrong with it and how to write it instead, when invalid.</param>
    /// <returns>True when the pattern is valid.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="options"/> has a flag that is not a <see cref="ToolPatternOptions"/> value.</exception>
    public static bool TryParse(string? text, ToolPatternOptions options, out ToolPattern? pattern, out string? error)
    {
        if ((options & ~ToolPatternOptions.RequireSingleSlash) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options, "Unknown ToolPatternOptions flags; use None or RequireSingleSlash.");
        }

        pattern = null;
        if (string.IsNullOrEmpty(text))
        {
            error = "the pattern is empty; write a server/tool pattern such as \"fs/read_*\"";
            return false;
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if ((options & ToolPatternOptions.RequireSingleSlash) != 0 && slash > 0 && slash < text.Length - 1 && text.IndexOf('/', slash + 1) >= 0)
        {
            error = $"'{text}' has more than one '/'; write it as \"server/tool\" with exactly one '/' here, and put '*' where a tool name has a '/' (\"{SuggestSingleSlash(text, slash)}\")";
            return false;
        }

        if (!Glob.TryParse(text, out var glob, out error))
        {
            return false;
        }

        pattern = new ToolPattern(glob!);
        return true;
    }

    /// <summary>Parses a pattern with the syntax of a policy's <c>match</c> (<see cref="ToolPatternOptions.None"/>).</summary>
    /// <param name="text">The pattern, such as <c>fs/read_*</c>.</param>
    /// <returns>The pattern.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    /// <exception cref="FormatException">The pattern is not valid; the message says what is wrong and how to write it.</exception>
    public static ToolPattern Parse(string text) => Parse(text, ToolPatternOptions.None);

    /// <summary>Parses a pattern; see <see cref="TryParse(string?, ToolPatternOptions, out ToolPattern?, out string?)"/> for the syntax.</summary>
    /// <param name="text">The pattern, such as <c>fs/read_*</c>.</param>
    /// <param name="options">How to read it.</param>
    /// <returns>The pattern.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="options"/> has a flag that is not a <see cref="ToolPatternOptions"/> value.</exception>
    /// <exception cref="FormatException">The pattern is not valid; the message says what is wrong and how to write it.</exception>
    public static ToolPattern Parse(string text, ToolPatternOptions options)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, options, out var pattern, out var error) ? pattern! : throw new FormatException(error);
    }

    /// <summary>True when the pattern matches the tool <paramref name="toolName"/> of server <paramref name="serverId"/>.</summary>
    /// <param name="serverId">The host-configured server id.</param>
    /// <param name="toolName">The tool's name.</param>
    /// <returns>Whether it matches.</returns>
    public bool Matches(string serverId, string toolName)
    {
        ArgumentNullException.ThrowIfNull(serverId);
        ArgumentNullException.ThrowIfNull(toolName);
        return _glob.Matches(serverId, toolName);
    }

    /// <inheritdoc />
    public override string ToString() => Text;

    /// <summary>The pattern with every '/' after the first as '*', and runs of '*' as one: a valid pattern for those tools.</summary>
    private static string SuggestSingleSlash(string text, int slash)
    {
        var suggestion = string.Concat(text.AsSpan(0, slash + 1), text[(slash + 1)..].Replace('/', '*'));
        while (suggestion.Contains("**", StringComparison.Ordinal))
        {
            suggestion = suggestion.Replace("**", "*", StringComparison.Ordinal);
        }

        return suggestion;
    }
}
