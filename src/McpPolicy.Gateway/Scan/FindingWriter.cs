using System.Globalization;
using System.Text;
using System.Text.Json;
using McpPolicy.Schemas;

namespace McpPolicy.Gateway.Scan;

/// <summary>Writes scan results for people (text) or programs (JSON). Everything from the scanned file is made visible first, so a
/// definition cannot send escape sequences or invisible text to the terminal.</summary>
internal static class FindingWriter
{
    public static async Task WriteTextAsync(TextWriter output, DefinitionScanResult result)
    {
        var text = new StringBuilder();
        foreach (var finding in result.Findings)
        {
            var tool = finding.ToolName is null ? "(unnamed tool)" : Visible(finding.ToolName);
            var where = finding.ServerId is null ? tool : Visible(finding.ServerId) + "/" + tool;
            text.Append(CultureInfo.InvariantCulture, $"{finding.Severity.ToString().ToUpperInvariant(),-8} {finding.Id}  {where}  {(finding.Pointer.Length == 0 ? "(definition)" : Visible(finding.Pointer))}\n");
            text.Append("         ").Append(Visible(finding.Message)).Append('\n');
            if (finding.Excerpt.Length > 0)
            {
                text.Append("         excerpt: ").Append(Visible(finding.Excerpt)).Append('\n');
            }
        }

        var counts = new int[4];
        foreach (var finding in result.Findings)
        {
            counts[(int)finding.Severity]++;
        }

        text.Append(CultureInfo.InvariantCulture,
            $"{result.ToolCount} tool(s) scanned, {result.Findings.Count} finding(s): {counts[3]} critical, {counts[2]} high, {counts[1]} medium, {counts[0]} low");
        if (result.OmittedFindings > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"; {result.OmittedFindings} more not shown");
        }

        text.Append('\n');
        await output.WriteAsync(text.ToString()).ConfigureAwait(false);
        await output.FlushAsync().ConfigureAwait(false);
    }

    public static async Task WriteJsonAsync(TextWriter output, DefinitionScanResult result, CancellationToken cancellationToken)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteNumber("toolCount", result.ToolCount);
            if (result.HighestSeverity is { } highest)
            {
                json.WriteString("highestSeverity", highest.ToString());
            }
            else
            {
                json.WriteNull("highestSeverity");
            }

            json.WriteNumber("omittedFindings", result.OmittedFindings);
            json.WriteStartArray("findings");
            foreach (var finding in result.Findings)
            {
                json.WriteStartObject();
                json.WriteString("id", finding.Id);
                json.WriteString("severity", finding.Severity.ToString());
                json.WriteString("risk", finding.Risk.ToString());
                json.WriteString("server", finding.ServerId);
                json.WriteString("tool", finding.ToolName);
                json.WriteString("pointer", finding.Pointer);
                json.WriteString("message", finding.Message);
                json.WriteString("excerpt", finding.Excerpt);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        await output.WriteLineAsync(Encoding.UTF8.GetString(stream.ToArray()).AsMemory(), cancellationToken).ConfigureAwait(false);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes controls, format characters, separators other than space and unpaired surrogates as <c>&lt;U+XXXX&gt;</c>.</summary>
    internal static string Visible(string text)
    {
        var builder = new StringBuilder(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            if (Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                builder.Append(CultureInfo.InvariantCulture, $"<U+{(int)text[i]:X4}>");
                i++;
                continue;
            }

            var category = Rune.GetUnicodeCategory(rune);
            var hidden = rune.Value != ' ' && (category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator
                or UnicodeCategory.ParagraphSeparator or UnicodeCategory.SpaceSeparator or UnicodeCategory.OtherNotAssigned or UnicodeCategory.PrivateUse
                || rune.Value is (>= 0xFE00 and <= 0xFE0F) or (>= 0xE0100 and <= 0xE01EF));
            if (hidden)
            {
                builder.Append(CultureInfo.InvariantCulture, $"<U+{rune.Value:X4}>");
            }
            else
            {
                builder.Append(text, i, consumed);
            }

            i += consumed;
        }

        return builder.ToString();
    }
}
