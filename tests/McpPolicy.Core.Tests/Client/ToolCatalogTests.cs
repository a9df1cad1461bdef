using ModelContextProtocol.Protocol;

namespace McpPolicy.Core.Tests.Client;

public sealed class ToolCatalogTests
{
    [Fact]
    public void A_server_never_listed_is_not_loaded_and_knows_no_tool()
    {
        var catalog = new ToolCatalog();

        Assert.Equal(ToolCatalogStatus.NotLoaded, catalog.GetStatus("fs"));
        Assert.False(catalog.TryGetTool("fs", "read", out _));
        Assert.Empty(catalog.GetTools("fs"));
    }

    [Fact]
    public void Set_tools_loads_the_catalog_and_servers_are_kept_apart()
    {
        var catalog = new ToolCatalog();

        catalog.SetTools("fs", [Tool("read"), Tool("write")]);

        Assert.Equal(ToolCatalogStatus.Loaded, catalog.GetStatus("fs"));
        Assert.True(catalog.TryGetTool("fs", "read", out var read));
        Assert.Equal("read", read.Name);
        Assert.False(catalog.TryGetTool("other", "read", out _));
        Assert.Equal(2, catalog.GetTools("fs").Count);
    }

    [Fact]
    public void A_name_listed_twice_stays_unknown()
    {
        var catalog = new ToolCatalog();

        catalog.SetTools("fs", [Tool("read"), Tool("read", readOnly: false), Tool("write")]);

        Assert.False(catalog.TryGetTool("fs", "read", out _));
        Assert.True(catalog.TryGetTool("fs", "write", out _));
    }

    [Fact]
    public void Mark_stale_keeps_the_tools_until_the_next_load()
    {
        var catalog = new ToolCatalog();
        catalog.SetTools("fs", [Tool("read")]);

        catalog.MarkStale("fs");

        Assert.Equal(ToolCatalogStatus.Stale, catalog.GetStatus("fs"));
        Assert.True(catalog.TryGetTool("fs", "read", out _));
    }

    [Fact]
    public void A_load_that_started_before_a_change_leaves_the_catalog_stale()
    {
        var catalog = new ToolCatalog();
        catalog.SetTools("fs", [Tool("read")]);
        var server = catalog.GetServer("fs");
        var generation = server.Generation;

        server.MarkStale();
        server.Replace([Tool("write")], generation);

        Assert.Equal(ToolCatalogStatus.Stale, catalog.GetStatus("fs"));
        Assert.True(catalog.TryGetTool("fs", "write", out _));
        Assert.False(catalog.TryGetTool("fs", "read", out _));
        server.Replace([Tool("write")], server.Generation);
        Assert.Equal(ToolCatalogStatus.Loaded, catalog.GetStatus("fs"));
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    public void Server_id_is_required(string? serverId)
        => Assert.ThrowsAny<ArgumentException>(() => new ToolCatalog().GetStatus(serverId!));

    private static ToolDescriptor Tool(string name, bool readOnly = true)
        => ToolDescriptor.FromProtocol(new Tool { Name = name, Annotations = new ToolAnnotations { ReadOnlyHint = readOnly } });
}
