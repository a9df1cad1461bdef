using System.Diagnostics;
using McpPolicy.Chains.Inspection;
namespace McpPolicy.Chains.Tests.Inspection;
public sealed class ZzMeasure
{
    [Fact]
    public void Measure()
    {
        var lines = new List<string>();
        var ascii = string.Concat(Enumerable.Repeat("The quick brown fox jumps over the lazy dog. 0123456789\n", 1 << 14));
        var mixed = string.Concat(Enumerable.Repeat("caf\u00e9 \u65e5\u672c\u8a9e \U0001F468\u200D\U0001F469 \u2764\uFE0F text\n", 1 << 14));
        var cjk = string.Concat(Enumerable.Repeat("\u65e5\u672c\u8a9e\u306e\u6587\u7ae0\u3067\u3059\u3002", 1 << 15));
        var dirty = string.Concat(Enumerable.Repeat("lorem \u202E ipsum \u001b[1m dolor \U000E0041 sit\n", 1 << 14));
        foreach (var (name, text) in new[] { ("ascii", ascii), ("mixed", mixed), ("cjk", cjk), ("dirty", dirty) })
        {
            foreach (var h in new[] { UnsafeTextHandling.MakeVisible, UnsafeTextHandling.Remove })
            {
                var tally = default(InspectionTally);
                UnsafeText.Sanitize(text, h, ref tally);
                var sw = Stopwatch.StartNew();
                const int n = 20;
                for (var i = 0; i < n; i++) UnsafeText.Sanitize(text, h, ref tally);
                sw.Stop();
                var mbps = text.Length * 2.0 * n / (1024 * 1024) / sw.Elapsed.TotalSeconds;
                lines.Add($"{name} {h} chars={text.Length} {sw.Elapsed.TotalMilliseconds / n:F3} ms/op {mbps:F0} MB/s (UTF-16)");
            }
        }
        File.WriteAllLines("/tmp/measure.txt", lines);
    }
}
