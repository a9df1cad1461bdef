using System.Collections.Concurrent;
using System.ComponentModel;
using McpPolicy;
using ModelContextProtocol.Server;

namespace PolicyServer;

/// <summary>
/// A server author's tools. The class says High; methods that are safer say so. The policy in appsettings.json can still
/// raise any of them (and blocks delete_all outright, which also hides it from tools/list).
/// </summary>
[McpServerToolType]
[ToolRisk(RiskLevel.High)]
public sealed class NoteTools
{
    private static readonly ConcurrentDictionary<string, string> Notes = new(StringComparer.Ordinal) { ["welcome"] = "Hello from PolicyServer." };

    [McpServerTool(Name = "read_note", ReadOnly = true), ToolRisk(RiskLevel.Low), Description("Reads a note by title.")]
    public static string ReadNote(string title) => Notes.TryGetValue(title, out var text) ? text : $"no note called '{title}'";

    [McpServerTool(Name = "write_note"), ToolRisk(RiskLevel.Medium), Description("Creates or replaces a note.")]
    public static string WriteNote(string title, string text)
    {
        Notes[title] = text;
        return $"saved '{title}'";
    }

    [McpServerTool(Name = "share_note"), ToolRisk(RiskLevel.Medium), Description("Shares a note with an email address.")]
    public static string ShareNote(string title, string email) => $"shared '{title}' with {email}";

    [McpServerTool(Name = "delete_note", Destructive = true), Description("Deletes a note. High risk (from the class): the user is asked first.")]
    public static string DeleteNote(string title) => Notes.TryRemove(title, out _) ? $"deleted '{title}'" : $"no note called '{title}'";

    [McpServerTool(Name = "delete_all", Destructive = true), Description("Deletes every note.")]
    public static string DeleteAll()
    {
        Notes.Clear();
        return "deleted everything";
    }
}
