using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;

namespace McpPolicy.Core.Tests.Client;

/// <summary>
/// <see cref="IToolListingFilter"/>s registered in DI change what the host gate's client sees in <c>tools/list</c>, never what the
/// catalog holds or how calls are decided. A filter that throws hides the tool (fail closed). Under both protocol versions.
/// </summary>
public sealed class ToolListingFilterTests
{
    public static TheoryData<string?> ProtocolVersions => new() { null, "2025-11-25" };

    [Theory]
    [MemberData(nameof(ProtocolVersions))]
    public async Task Tool_a_filter_rejects_is_hidden_but_stays_in_the_catalog_and_its_calls_are_still_decided(string? protocolVersion)
    {
        var filter = new NamedFilter("echo");
        await using var host = await PolicyHost.StartAsync(protocolVersion, b => b.Services.AddSingleton<IToolListingFilter>(filter));

        var names = await NamesAsync(host);

        Assert.DoesNotContain("echo", names);
        Assert.Contains("fail", names);
        Assert.True(host.Catalog.TryGetTool(PolicyHost.ServerId, "echo", out _));
        Assert.Contains((PolicyHost.ServerId, "echo"), filter.Seen);

        // Hiding is not refusing: the policy (echo is Low) still decides, and allows, the call.
        var result = await host.Client.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = "hi" });
        Assert.False(result.IsError ?? false);
        Assert.Equal(1, host.Server.Count("echo"));

        // A tool the policy blocks stays hidden whatever the filters say.
        Assert.DoesNotContain("wire", names);
    }

    [Theory]
    [MemberData(nameof(ProtocolVersions))]
    public async Task Filter_that_throws_hides_only_the_tool_it_failed_on(string? protocolVersion)
    {
        await using var host = await PolicyHost.StartAsync(protocolVersion, b => b.Services.AddSingleton<IToolListingFilter>(new ThrowingFilter("echo")));

        var names = await NamesAsync(host);

        Assert.DoesNotContain("echo", names);
        Assert.Contains("fail", names);
        Assert.Contains("slow", names);
        Assert.True(host.Catalog.TryGetTool(PolicyHost.ServerId, "echo", out _));
    }

    [Theory]
    [MemberData(nameof(ProtocolVersions))]
    public async Task Every_filter_must_let_a_tool_through(string? protocolVersion)
    {
        await using var host = await PolicyHost.StartAsync(protocolVersion, b =>
        {
            b.Services.AddSingleton<IToolListingFilter>(new NamedFilter("echo"));
            b.Services.AddSingleton<IToolListingFilter>(new NamedFilter("fail"));
        });

        var names = await NamesAsync(host);

        Assert.DoesNotContain("echo", names);
        Assert.DoesNotContain("fail", names);
        Assert.Contains("slow", names);
    }

    [Theory]
    [MemberData(nameof(ProtocolVersions))]
    public async Task Without_filters_the_listing_shows_every_tool_the_policy_does_not_block(string? protocolVersion)
    {
        await using var host = await PolicyHost.StartAsync(protocolVersion);

        var names = await NamesAsync(host);

        Assert.Contains("echo", names);
        Assert.Contains("fail", names);
        Assert.DoesNotContain("wire", names);
    }

    private static async Task<HashSet<string>> NamesAsync(PolicyHost host)
        => (await host.Client.ListToolsAsync()).Select(t => t.Name).ToHashSet(StringComparer.Ordinal);

    /// <summary>Hides one tool by name and records every tool it was asked about.</summary>
    private sealed class NamedFilter(string hidden) : IToolListingFilter
    {
        public ConcurrentBag<(string ServerId, string Tool)> Seen { get; } = [];

        public bool IsListable(string serverId, ToolDescriptor tool)
        {
            Seen.Add((serverId, tool.Name));
            return !string.Equals(tool.Name, hidden, StringComparison.Ordinal);
        }
    }

    /// <summary>Throws for one tool by name and lets every other tool through.</summary>
    private sealed class ThrowingFilter(string failing) : IToolListingFilter
    {
        public bool IsListable(string serverId, ToolDescriptor tool)
            => string.Equals(tool.Name, failing, StringComparison.Ordinal) ? throw new InvalidOperationException("listing filter failed") : true;
    }
}
