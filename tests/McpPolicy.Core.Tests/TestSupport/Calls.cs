namespace McpPolicy.Core.Tests.TestSupport;

/// <summary>Builds tool calls for tests.</summary>
internal static class Calls
{
    /// <summary>Hints that never raise risk on an untrusted server: read-only and closed-world.</summary>
    public static readonly ToolHints Quiet = new(ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false);

    /// <summary>A call to a known tool whose hints raise nothing, so only the policy decides.</summary>
    public static ToolInvocationContext Known(string qualifiedName, string? arguments = null)
        => With(qualifiedName, Quiet, arguments);

    /// <summary>A call to a known tool with the given hints.</summary>
    public static ToolInvocationContext With(string qualifiedName, ToolHints hints, string? arguments = null, RiskLevel? declaredRisk = null)
    {
        var (server, tool) = Split(qualifiedName);
        return new ToolInvocationContext(server, tool, Args(arguments), new ToolDescriptor(tool) { Hints = hints, DeclaredRisk = declaredRisk });
    }

    /// <summary>A call to a tool the gate has never seen listed.</summary>
    public static ToolInvocationContext Unknown(string qualifiedName, string? arguments = null)
    {
        var (server, tool) = Split(qualifiedName);
        return new ToolInvocationContext(server, tool, Args(arguments));
    }

    private static ToolArguments? Args(string? json) => json is null ? null : ToolArguments.Parse(json);

    private static (string Server, string Tool) Split(string qualifiedName)
    {
        var slash = qualifiedName.IndexOf('/', StringComparison.Ordinal);
        return (qualifiedName[..slash], qualifiedName[(slash + 1)..]);
    }
}
