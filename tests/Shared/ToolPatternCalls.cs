using FsCheck;
using FsCheck.Fluent;

namespace McpPolicy.Tests.TestSupport;

/// <summary>
/// Calls for generated tool patterns over a small alphabet (so that slashes, stars and letters collide): mostly calls the
/// pattern nearly matches (each '*' filled in, then perhaps one character changed), else random ones.
/// </summary>
internal static class ToolPatternCalls
{
    /// <summary>A server or tool name, or a fill for one '*'.</summary>
    public static readonly Gen<string> Name =
        from length in Gen.Choose(0, 5)
        from chars in Gen.Elements('a', 'b', 'A', '/', ' ', '\u00e9', '*').ArrayOf(length)
        select new string(chars);

    /// <summary>A call for the pattern <paramref name="text"/>.</summary>
    public static Gen<(string Server, string Tool)> For(string text)
    {
        var random = from server in Name from tool in Name select (server, tool);
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return random;
        }

        var filled = from server in Fill(text[..slash])
                     from tool in Fill(text[(slash + 1)..])
                     from mutate in Gen.Choose(0, 3)
                     from at in Gen.Choose(0, 20)
                     from c in Gen.Elements('a', 'b', '/', '*')
                     select mutate == 0 ? (Mutate(server, at, c), tool) : mutate == 1 ? (server, Mutate(tool, at, c)) : (server, tool);
        return Gen.Frequency((3, filled), (1, random));
    }

    private static Gen<string> Fill(string segment)
    {
        var parts = segment.Split('*');
        return Name.ArrayOf(parts.Length - 1).Select(fills => string.Concat(parts.Select((p, i) => i == 0 ? p : fills[i - 1] + p)));
    }

    private static string Mutate(string text, int at, char c)
        => text.Length == 0 ? c.ToString() : string.Concat(text.AsSpan(0, at % text.Length), c.ToString(), text.AsSpan((at % text.Length) + 1));
}
