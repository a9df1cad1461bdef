using System.Text.Json;
using McpPolicy.Chains.Inspection;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Chains.Tests.Inspection;

/// <summary>Inspecting clean text and clean results allocates nothing (counted with the runtime's per-thread allocation counter).</summary>
public sealed class AllocationTests
{
    private const string Clean = "A plain result: caf\u00e9, \u65e5\u672c\u8a9e, \U0001F468\u200D\U0001F469, \u2764\uFE0F, tabs\tand\r\nlines. Nothing hidden here.";

    [Theory]
    [InlineData(UnsafeTextHandling.MakeVisible)]
    [InlineData(UnsafeTextHandling.Remove)]
    public void Sanitizing_clean_text_allocates_nothing(UnsafeTextHandling handling)
    {
        var tally = default(InspectionTally);
        UnsafeText.Sanitize(Clean, handling, ref tally);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            UnsafeText.Sanitize(Clean, handling, ref tally);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public async Task Inspecting_a_clean_result_allocates_nothing()
    {
        var filter = new ResultInspectionFilter(Microsoft.Extensions.Options.Options.Create(new ResultInspectionOptions()), []);
        var result = new CallToolResult
        {
            Content = [new TextContentBlock { Text = Clean }, new ResourceLinkBlock { Uri = "https://example.com/a", Name = "a", Description = "caf\u00e9" }],
            StructuredContent = JsonDocument.Parse("""{"text":"caf\u00e9 \u65e5","plain":"ok","n":[1,2,{"k":true}]}""").RootElement.Clone(),
        };
        var context = new ToolInvocationContext("web", "fetch");
        ToolInvocationDelegate next = static (ctx, _) => { ctx.Result = (CallToolResult)ctx.InvokerState!; return ValueTask.CompletedTask; };
        context.InvokerState = result;
        await filter.InvokeAsync(context, next, CancellationToken.None);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            var pending = filter.InvokeAsync(context, next, CancellationToken.None);
            Assert.True(pending.IsCompletedSuccessfully);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Same(result, context.Result);
        Assert.Null(result.Meta);
    }
}
