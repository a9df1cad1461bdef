namespace McpPolicy.Chains.Inspection;

/// <summary>A <c>server/tool</c> pattern where '*' matches any run of characters within its segment (as in policy <c>match</c>).</summary>
internal sealed class InspectionToolPattern
{
    private readonly string _server;
    private readonly string _tool;

    private InspectionToolPattern(string server, string tool)
    {
        _server = server;
        _tool = tool;
        LiteralLength = server.Length + tool.Length - server.Count(c => c == '*') - tool.Count(c => c == '*');
        IsExact = !server.Contains('*', StringComparison.Ordinal) && !tool.Contains('*', StringComparison.Ordinal);
    }

    /// <summary>How many non-wildcard characters the pattern has: more means more specific.</summary>
    public int LiteralLength { get; }

    /// <summary>True when the pattern has no wildcard.</summary>
    public bool IsExact { get; }

    public static bool TryParse(string? text, out InspectionToolPattern? pattern, out string? error)
    {
        pattern = null;
        error = null;
        var slash = text is null ? -1 : text.IndexOf('/', StringComparison.Ordinal);
        if (text is null || slash <= 0 || slash == text.Length - 1 || text.IndexOf('/', slash + 1) >= 0)
        {
            error = $"'{text}' is not a server/tool pattern; write it as \"server/tool\", with '*' as a wildcard within a segment";
            return false;
        }

        pattern = new InspectionToolPattern(text[..slash], text[(slash + 1)..]);
        return true;
    }

    public bool Matches(string server, string tool) => Wildcard(_server, server) && Wildcard(_tool, tool);

    /// <summary>Wildcard match ('*' only): greedy with one backtrack point, no recursion.</summary>
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
