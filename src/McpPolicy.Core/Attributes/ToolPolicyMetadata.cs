using System.Runtime.CompilerServices;
using ModelContextProtocol.Server;

namespace McpPolicy;

/// <summary>
/// Reads McpPolicy attributes from MCP server tools and builds the <see cref="ToolDescriptor"/> the policy evaluates.
/// Descriptors are built once per tool instance and cached, so the call path does no reflection.
/// </summary>
public static class ToolPolicyMetadata
{
    private static readonly ConditionalWeakTable<McpServerTool, ToolDescriptor> Descriptors = new();

    /// <summary>
    /// The descriptor of <paramref name="tool"/>: its protocol definition, its metadata as the SDK reports it, and the risk
    /// declared with <see cref="ToolRiskAttribute"/>. Built on first use and cached for the lifetime of the tool instance.
    /// </summary>
    /// <param name="tool">The server tool.</param>
    /// <returns>The cached descriptor.</returns>
    /// <remarks>The descriptor is a snapshot: changes made to the tool's protocol definition after the first call are not seen.</remarks>
    public static ToolDescriptor GetDescriptor(McpServerTool tool)
    {
        ArgumentNullException.ThrowIfNull(tool);
        if (Descriptors.TryGetValue(tool, out var descriptor))
        {
            return descriptor;
        }

        return Descriptors.GetValue(tool, static t => CreateDescriptor(t));
    }

    /// <summary>Builds a new descriptor for <paramref name="tool"/> without the cache.</summary>
    /// <param name="tool">The server tool.</param>
    /// <returns>The descriptor.</returns>
    public static ToolDescriptor CreateDescriptor(McpServerTool tool)
    {
        ArgumentNullException.ThrowIfNull(tool);
        var metadata = tool.Metadata;
        return ToolDescriptor.FromProtocol(tool.ProtocolTool, metadata, GetDeclaredRisk(metadata));
    }

    /// <summary>
    /// The effective attribute of type <typeparamref name="TAttribute"/>: the last one in <paramref name="metadata"/>, so a
    /// method attribute overrides the class attribute (the SDK lists class attributes before method attributes).
    /// </summary>
    /// <typeparam name="TAttribute">The attribute type.</typeparam>
    /// <param name="metadata">A tool's metadata, such as <see cref="ToolDescriptor.Metadata"/> or <c>McpServerTool.Metadata</c>.</param>
    /// <returns>The attribute, or null when there is none.</returns>
    public static TAttribute? FindLast<TAttribute>(IReadOnlyList<object> metadata)
        where TAttribute : Attribute
    {
        ArgumentNullException.ThrowIfNull(metadata);
        for (var i = metadata.Count - 1; i >= 0; i--)
        {
            if (metadata[i] is TAttribute attribute)
            {
                return attribute;
            }
        }

        return null;
    }

    /// <summary>The risk declared with <see cref="ToolRiskAttribute"/> (the method's over the class's), or null when none is declared.</summary>
    /// <param name="metadata">A tool's metadata.</param>
    /// <returns>The declared risk, or null.</returns>
    public static RiskLevel? GetDeclaredRisk(IReadOnlyList<object> metadata) => FindLast<ToolRiskAttribute>(metadata)?.Risk;
}
