namespace McpPolicy.Engine;

/// <summary>A compiled <c>server/tool</c> glob: '*' matches any run of characters within its segment.</summary>
internal sealed class Glob
{
    private readonly string[] _serverParts;
    private readonly string[] _toolParts;

    private Glob(string text, string server, string tool)
    {
        Text = text;
        Server = server;
        Tool = tool;
        _serverParts = server.Split('*');
        _toolParts = tool.Split('*');
        IsExact = !text.Contains('*', StringComparison.Ordinal);
        ServerIsLiteral = !server.Contains('*', StringComparison.Ordinal);
        LiteralLength = text.Length - text.Count(c => c == '*');
    }

    public string Text { get; }

    public string Server { get; }

    public string Tool { get; }

    public bool IsExact { get; }

    public bool ServerIsLiteral { get; }

    /// <summary>Characters that are not wildcards: more literal text means more specific.</summary>
    public int LiteralLength { get; }

    public static bool TryParse(string text, out Glob? glob, out string? error)
    {
        glob = null;
        error = null;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == text.Length - 1)
        {
            error = $"'{text}' is not a server/tool pattern; write it as \"server/tool\", with '*' as a wildcard within a segment (\"fs/read_*\", \"*/delete_*\")";
            return false;
        }

        if (text.Contains("**", StringComparison.Ordinal))
        {
            error = $"'{text}' contains '**'; a single '*' already matches any run of characters within a segment";
            return false;
        }

        glob = new Glob(text, text[..slash], text[(slash + 1)..]);
        return true;
    }

    public bool Matches(string server, string tool) => MatchSegment(_serverParts, server) && MatchSegment(_toolParts, tool);

    public bool MatchesServer(string server) => MatchSegment(_serverParts, server);

    public bool MatchesTool(string tool) => MatchSegment(_toolParts, tool);

    private static bool MatchSegment(string[] parts, string value)
    {
        if (parts.Length == 1)
        {
            return string.Equals(parts[0], value, StringComparison.Ordinal);
        }

        var span = value.AsSpan();
        var first = parts[0];
        var last = parts[^1];
        if (span.Length < first.Length + last.Length || !span.StartsWith(first, StringComparison.Ordinal) || !span.EndsWith(last, StringComparison.Ordinal))
        {
            return false;
        }

        span = span[first.Length..^last.Length];
        for (var i = 1; i < parts.Length - 1; i++)
        {
            var part = parts[i];
            if (part.Length == 0)
            {
                continue;
            }

            var at = span.IndexOf(part, StringComparison.Ordinal);
            if (at < 0)
            {
                return false;
            }

            span = span[(at + part.Length)..];
        }

        return true;
    }
}
