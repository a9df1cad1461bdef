using McpPolicy.Schemas.Constraints;
using Microsoft.Extensions.DependencyInjection;

namespace McpPolicy.Schemas.Tests.Constraints;

/// <summary>
/// The constraint filter decides before the tool runs and never reads its result, so a host pipeline with it still lets the host gate
/// hand the server's results through undecoded (<see cref="ToolInvocationPipeline.PostProcessesResults"/> stays false).
/// </summary>
public sealed class ArgumentConstraintFilterResultTests
{
    [Fact]
    public void A_pipeline_with_argument_constraints_does_not_post_process_results()
    {
        var services = new ServiceCollection();
        services.AddMcpPolicy(o => o.Tools.Add(new ToolPolicy("*/*", RiskLevel.Low))).AddArgumentConstraints().AddArgumentConstraints();
        using var provider = services.BuildServiceProvider();

        var pipeline = provider.GetRequiredService<ToolInvocationPipeline>();

        var filter = Assert.Single(pipeline.Filters.OfType<ArgumentConstraintFilter>());
        Assert.False(((IToolInvocationFilter)filter).PostProcessesResults);
        Assert.False(pipeline.PostProcessesResults);
    }
}
