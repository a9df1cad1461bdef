using McpPolicy.Tokens.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace McpPolicy.Tokens.Tests.Server;

/// <summary>
/// The token authorization filter decides before the tool runs and never reads its result, so the pipeline it is registered in does not
/// post-process results (<see cref="ToolInvocationPipeline.PostProcessesResults"/> stays false).
/// </summary>
public sealed class TokenAuthorizationFilterResultTests
{
    [Fact]
    public async Task A_pipeline_with_token_authorization_does_not_post_process_results()
    {
        var services = new ServiceCollection();
        services.AddMcpServer().WithTools<ScopedTools>().WithTokenAuthorization(o => o.Resource = Jwt.Resource);
        await using var provider = services.BuildServiceProvider();

        var pipeline = provider.GetRequiredService<ToolInvocationPipeline>();

        var filter = Assert.Single(pipeline.Filters.OfType<TokenAuthorizationFilter>());
        Assert.False(((IToolInvocationFilter)filter).PostProcessesResults);
        Assert.False(pipeline.PostProcessesResults);
    }
}
