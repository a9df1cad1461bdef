using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;

namespace McpPolicy.Core.Tests.Server;

/// <summary>
/// The server-side list filter of <c>WithPolicy</c> consults the registered <see cref="IToolListingFilter"/>s as the host gate does:
/// a rejected tool is left out of <c>tools/list</c>, a filter that throws hides the tool, and a hidden tool's calls are still decided
/// by the policy. Under both protocol versions.
/// </summary>
public sealed class ServerToolListingFilterTests
{
    private static Task<InMemoryMcp> StartAsync(string? protocolVersion, params IToolListingFilter[] filters)
        => InMemoryMcp.StartAsync(
            (services, mcp) =>
            {
                services.AddMcpPolicy(o => o.Tools.Add(new ToolPolicy("*/wipe", RiskLevel.Block)));
                foreach (var filter in filters)
                {
                    services.AddSingleton(filter);
                }

                mcp.WithTools<RiskRatedTools>().WithPolicy(s => s.ServerId = "notes");
            },
            protocolVersion);

    private static async Task<HashSet<string>> NamesAsync(InMemoryMcp mcp)
        => (await mcp.Client.ListToolsAsync()).Select(t => t.Name).ToHashSet(StringComparer.Ordinal);

    [Theory]
    [MemberData(nameof(InMemoryMcp.ProtocolVersions), MemberType = typeof(InMemoryMcp))]
    public async Task Tool_a_filter_rejects_is_hidden_and_its_calls_are_still_decided_by_the_policy(string? protocolVersion)
    {
        var filter = new NamedFilter("low");
        await using var mcp = await StartAsync(protocolVersion, filter);

        var names = await NamesAsync(mcp);

        Assert.DoesNotContain("low", names);
        Assert.Contains("medium", names);
        Assert.Contains("transfer", names);
        Assert.DoesNotContain("wipe", names);
        Assert.Contains(("notes", "low"), filter.Seen);

        var result = await mcp.Client.CallToolAsync("low", new Dictionary<string, object?> { ["text"] = "hi" });
        Assert.NotEqual(true, result.IsError);
        Assert.Equal("low:hi", WithPolicyTests.TextOf(result));
    }

    [Theory]
    [MemberData(nameof(InMemoryMcp.ProtocolVersions), MemberType = typeof(InMemoryMcp))]
    public async Task Filter_that_throws_hides_only_the_tool_it_failed_on(string? protocolVersion)
    {
        await using var mcp = await StartAsync(protocolVersion, new ThrowingFilter("medium"));

        var names = await NamesAsync(mcp);

        Assert.DoesNotContain("medium", names);
        Assert.Contains("low", names);
        Assert.Contains("transfer", names);
    }

    [Theory]
    [MemberData(nameof(InMemoryMcp.ProtocolVersions), MemberType = typeof(InMemoryMcp))]
    public async Task Every_filter_must_let_a_tool_through(string? protocolVersion)
    {
        await using var mcp = await StartAsync(protocolVersion, new NamedFilter("low"), new NamedFilter("transfer"));

        var names = await NamesAsync(mcp);

        Assert.DoesNotContain("low", names);
        Assert.DoesNotContain("transfer", names);
        Assert.Contains("medium", names);
    }

    private sealed class NamedFilter(string hidden) : IToolListingFilter
    {
        public ConcurrentBag<(string ServerId, string Tool)> Seen { get; } = [];

        public bool IsListable(string serverId, ToolDescriptor tool)
        {
            Seen.Add((serverId, tool.Name));
            return !string.Equals(tool.Name, hidden, StringComparison.Ordinal);
        }
    }

    private sealed class ThrowingFilter(string failing) : IToolListingFilter
    {
        public bool IsListable(string serverId, ToolDescriptor tool)
            => string.Equals(tool.Name, failing, StringComparison.Ordinal) ? throw new InvalidOperationException("listing filter failed") : true;
    }
}
