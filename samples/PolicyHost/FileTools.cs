using System.ComponentModel;
using ModelContextProtocol.Server;

namespace PolicyHost;

/// <summary>
/// The tools of the child MCP server this sample launches (the same program started with --serve). The server knows nothing
/// of McpPolicy: the host alone enforces the policy. The tools only pretend, so the sample touches no real files.
/// </summary>
[McpServerToolType]
public sealed class FileTools
{
    [McpServerTool(Name = "read_file", ReadOnly = true, OpenWorld = false), Description("Reads a file from the workspace.")]
    public static string ReadFile(string path) => $"(contents of {path})";

    [McpServerTool(Name = "write_file", Destructive = false, OpenWorld = false), Description("Writes a file in the workspace.")]
    public static string WriteFile(string path, string text) => $"wrote {text.Length} characters to {path}";

    [McpServerTool(Name = "run_command", Destructive = true), Description("Runs a shell command.")]
    public static string RunCommand(string command) => $"ran {command}";
}
