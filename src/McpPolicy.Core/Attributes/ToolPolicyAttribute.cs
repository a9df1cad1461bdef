namespace McpPolicy;

/// <summary>
/// The base of every McpPolicy attribute placed on an MCP server tool method or its declaring class (risk, argument
/// constraints, required scopes, flow labels). When the same kind of attribute is on both, the method's wins.
/// </summary>
/// <remarks>
/// The MCP SDK exposes a tool's attributes through <c>McpServerTool.Metadata</c> (class attributes first, then method
/// attributes); <see cref="ToolPolicyMetadata"/> reads them from there and puts them on the tool's <see cref="ToolDescriptor"/>.
/// </remarks>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class, AllowMultiple = false, Inherited = true)]
public abstract class ToolPolicyAttribute : Attribute
{
}
