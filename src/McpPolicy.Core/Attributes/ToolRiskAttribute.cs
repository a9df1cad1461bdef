namespace McpPolicy;

/// <summary>
/// Declares the risk of an MCP server tool in code: <c>[ToolRisk(RiskLevel.High)]</c> on the tool method, or on its class
/// as the default for every tool in it. A matching <c>tools</c> entry in the policy takes precedence over it.
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class, AllowMultiple = false, Inherited = true)]
public sealed class ToolRiskAttribute : ToolPolicyAttribute
{
    /// <summary>Declares the tool's risk.</summary>
    /// <param name="risk">The risk of calling the tool, whatever its arguments.</param>
    public ToolRiskAttribute(RiskLevel risk)
    {
        Risk = risk;
    }

    /// <summary>The declared risk.</summary>
    public RiskLevel Risk { get; }
}
