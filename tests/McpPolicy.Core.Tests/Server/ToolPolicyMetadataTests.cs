using ModelContextProtocol.Server;

namespace McpPolicy.Core.Tests.Server;

public sealed class ToolPolicyMetadataTests
{
    private static McpServerTool Tool(string method)
        => McpServerTool.Create(typeof(RiskRatedTools).GetMethod(method)!, target: null);

    [Fact]
    public void Method_attribute_wins_over_class_attribute()
    {
        Assert.Equal(RiskLevel.Low, ToolPolicyMetadata.GetDescriptor(Tool(nameof(RiskRatedTools.Low))).DeclaredRisk);
        Assert.Equal(RiskLevel.Block, ToolPolicyMetadata.GetDescriptor(Tool(nameof(RiskRatedTools.DeclaredBlock))).DeclaredRisk);
    }

    [Fact]
    public void Class_attribute_applies_when_the_method_has_none()
        => Assert.Equal(RiskLevel.High, ToolPolicyMetadata.GetDescriptor(Tool(nameof(RiskRatedTools.HighFromClass))).DeclaredRisk);

    [Fact]
    public void Tool_without_attributes_declares_no_risk()
    {
        var tool = McpServerTool.Create(() => "x", new McpServerToolCreateOptions { Name = "plain" });
        var descriptor = ToolPolicyMetadata.GetDescriptor(tool);
        Assert.Null(descriptor.DeclaredRisk);
        Assert.Equal("plain", descriptor.Name);
    }

    [Fact]
    public void Delegate_tool_gets_its_risk_from_create_options_metadata()
    {
        var tool = McpServerTool.Create(() => "x", new McpServerToolCreateOptions { Name = "delegated", Metadata = [new ToolRiskAttribute(RiskLevel.High)] });
        Assert.Equal(RiskLevel.High, ToolPolicyMetadata.GetDescriptor(tool).DeclaredRisk);
    }

    [Fact]
    public void Descriptor_is_built_once_per_tool_instance()
    {
        var tool = Tool(nameof(RiskRatedTools.Low));
        var first = ToolPolicyMetadata.GetDescriptor(tool);
        Assert.Same(first, ToolPolicyMetadata.GetDescriptor(tool));
        Assert.NotSame(first, ToolPolicyMetadata.GetDescriptor(Tool(nameof(RiskRatedTools.Low))));
    }

    [Fact]
    public void Descriptor_carries_protocol_definition_and_metadata()
    {
        var tool = Tool(nameof(RiskRatedTools.Transfer));
        var descriptor = ToolPolicyMetadata.GetDescriptor(tool);
        Assert.Equal("transfer", descriptor.Name);
        Assert.Same(tool.ProtocolTool, descriptor.ProtocolTool);
        Assert.NotNull(descriptor.InputSchema);
        Assert.Same(tool.Metadata, descriptor.Metadata);
    }

    [Fact]
    public void Find_last_takes_the_last_matching_attribute()
    {
        object[] metadata = [new ToolRiskAttribute(RiskLevel.High), "not an attribute", new ToolRiskAttribute(RiskLevel.Low)];
        Assert.Equal(RiskLevel.Low, ToolPolicyMetadata.FindLast<ToolRiskAttribute>(metadata)!.Risk);
        Assert.Equal(RiskLevel.Low, Assert.IsType<ToolRiskAttribute>(ToolPolicyMetadata.FindLast<ToolPolicyAttribute>(metadata)).Risk);
        Assert.Null(ToolPolicyMetadata.FindLast<ObsoleteAttribute>(metadata));
    }
}
