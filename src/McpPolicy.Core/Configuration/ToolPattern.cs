using McpPolicy.Engine;

namespace McpPolicy;

/// <summary>
/// A compiled <c>server/tool</c> glob, as used by <c>match</c> keys: <c>*</c> matches any run of characters within its
/// segment. For packages that add their own pattern-keyed settings (flow labels, chains) on top of the policy.
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

    /// <summary>The number of characters that are not wildcards: more literal text means more specific.</summary>
    public int LiteralLength => _glob.LiteralLength;

    /// <summary>Parses a pattern.</summary>
    /// <param name="text">The pattern, such as <c>fs/read_*</c>.</param>
    /// <param name="pattern">The pattern, when valid.</param>
    /// <param name="error">What is wrong, when invalid.</param>
    /// <returns>True when the pattern is valid.</returns>
    public static bool TryParse(string? text, out ToolPattern? pattern, out string? error)
    {
        pattern = null;
        if (string.IsNullOrEmpty(text))
        {
            error = "the pattern is empty; write a server/tool pattern such as \"fs/read_*\"";
            return false;
        }

        if (!Glob.TryParse(text, out var glob, out error))
        {
            return false;
        }

        pattern = new ToolPattern(glob!);
        return true;
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
}
