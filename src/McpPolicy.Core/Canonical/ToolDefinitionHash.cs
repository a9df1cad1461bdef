using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpPolicy;

/// <summary>The canonical hash of a tool definition: SHA-256 over the RFC 8785 form of its name, title, description, schemas, annotations and <c>_meta</c>.</summary>
public static class ToolDefinitionHash
{
    private static readonly string[] Members = ["name", "title", "description", "inputSchema", "outputSchema", "annotations", "_meta"];

    /// <summary>Computes the hash.</summary>
    /// <param name="tool">The definition as listed by its server.</param>
    /// <returns>64 lower-case hex characters.</returns>
    public static string Compute(Tool tool)
    {
        ArgumentNullException.ThrowIfNull(tool);
        var full = JsonSerializer.SerializeToElement(tool, McpJsonUtilities.DefaultOptions);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var name in Members)
            {
                if (full.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null)
                {
                    writer.WritePropertyName(name);
                    value.WriteTo(writer);
                }
            }

            writer.WriteEndObject();
        }

        using var doc = JsonDocument.Parse(buffer.ToArray());
        return CanonicalJson.Sha256(doc.RootElement);
    }
}
