using ModelContextProtocol.Protocol;

namespace McpPolicy.Schemas.Tests.Catalog;

public sealed class ToolCatalogUpdatedTests
{
    private static ToolDescriptor D(string name) => ToolDescriptor.FromProtocol(new Tool { Name = name });

    [Fact]
    public void Every_complete_listing_reports_the_previous_and_the_current_tools_of_its_server()
    {
        var catalog = new ToolCatalog();
        var seen = new List<ToolCatalogUpdatedEventArgs>();
        catalog.Updated += (_, e) => seen.Add(e);

        catalog.SetTools("fs", [D("a"), D("b")]);
        catalog.SetTools("fs", [D("b"), D("c"), D("c")]);
        catalog.SetTools("web", [D("x")]);

        Assert.Equal(3, seen.Count);
        Assert.Empty(seen[0].PreviousTools);
        Assert.Equal(["a", "b"], seen[1].PreviousTools.Select(t => t.Name).Order());
        Assert.Equal(["b"], seen[1].Tools.Select(t => t.Name));
        Assert.Equal(("web", "x"), (seen[2].ServerId, Assert.Single(seen[2].Tools).Name));
    }

    [Fact]
    public void Marking_stale_reports_nothing()
    {
        var catalog = new ToolCatalog();
        var count = 0;
        catalog.Updated += (_, _) => count++;

        catalog.MarkStale("fs");

        Assert.Equal(0, count);
    }
}
