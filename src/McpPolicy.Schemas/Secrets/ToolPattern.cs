namespace McpPolicy.Schemas.Secrets;

/// <summary>A <c>server/tool</c> pattern where '*' matches any run of characters within its segment (as in policy <c>match</c>).</summary>
internal sealed class ToolPattern
{
    private readonly string _server;
    private readonly string _tool;

    private ToolPattern(string server, string tool)
    {
        _server = server;
        _tool = tool;
    }

    public static bool TryParse(string? text, out ToolPattern? pattern, out string? error)
    {
        pattern = null;
        error = null;
        var slash = text is null ? -1 : text.IndexOf('/', StringComparison.Ordinal);
        if (text is null || slash <= 0 || slash == text.Length - 1 || text.IndexOf('/', slash + 1) >= 0)
        {
            error = $"'{text}' is not a server/tool pattern; write it as \"server/tool\", with '*' as a wildcard within a segment";
            return false;
        }

        if (text.Contains("**", StringComparison.Ordinal))
        {
            error = $"'{text}' contains '**'; a single '*' already matches any run of characters within a segment";
            return false;
        }

        pattern = new ToolPattern(text[..slash], text[(slash + 1)..]);
        return true;
    }

    public bool Matches(string server, string tool) => Wildcard(_server, server) && Wildcard(_tool, tool);

    /// <summary>Wildcard match ('*' only): greedy with one backtrack point, no recursion; at worst pattern × text steps on short names.</summary>
    private static bool Wildcard(string pattern, string text)
    {
        int p = 0, t = 0, star = -1, mark = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && pattern[p] != '*' && pattern[p] == text[t])
            {
                p++;
                t++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = t;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++mark;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }
}
