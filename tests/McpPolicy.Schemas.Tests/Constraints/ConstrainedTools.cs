using System.ComponentModel;
using ModelContextProtocol.Server;

namespace McpPolicy.Schemas.Tests.Constraints;

/// <summary>Server tools guarded by constraint attributes, as a server author writes them.</summary>
[McpServerToolType]
[AllowedHosts("url", "only.example.net")]
public sealed class ConstrainedTools
{
    [McpServerTool(Name = "fetch"), Description("Fetches a URL.")]
    [AllowedHosts("url", "*.example.com", "api.github.com")]
    public static string Fetch([Description("The URL.")] string url) => "fetched " + url;

    [McpServerTool(Name = "fetch_class")]
    public static string FetchWithClassRule(string url) => "fetched " + url;

    [McpServerTool(Name = "fetch_many")]
    [AllowedHosts("urls", "*.example.com", Schemes = ["https", "wss"])]
    public static string FetchMany(string[] urls) => "fetched " + urls.Length;

    [McpServerTool(Name = "read")]
    [AllowedPaths("path", "/nonexistent-mcppolicy-tests/data/**", Deny = ["**/*.key"])]
    public static string Read(string path) => "read " + path;

    [McpServerTool(Name = "run")]
    [AllowedCommands("command", "git", "ls", DenyFlags = ["--upload-pack", "-c"])]
    public static string Run(string command) => "ran " + command;
}
