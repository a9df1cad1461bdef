namespace McpPolicy;

/// <summary>
/// Declares the flow labels of an MCP server tool in code: <c>[FlowLabel(FlowLabels.PrivateData)]</c> on the tool method,
/// or on its class as the default for every tool in it. A matching <c>labels</c> entry in the policy takes precedence;
/// a declared label set replaces the labels otherwise derived from the tool's annotation hints.
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class, AllowMultiple = false, Inherited = true)]
public sealed class FlowLabelAttribute : ToolPolicyAttribute
{
    /// <summary>Declares the tool's flow labels.</summary>
    /// <param name="labels">The labels; <see cref="FlowLabels.None"/> declares that the tool has none.</param>
    public FlowLabelAttribute(FlowLabels labels)
    {
        Labels = labels;
    }

    /// <summary>The declared labels.</summary>
    public FlowLabels Labels { get; }
}
