using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpPolicy;

/// <summary>
/// A content hash of the parts of a tool definition that change what a model is told or what the tool accepts and
/// returns, so a pinned catalog can tell when a server changed a tool under the same name.
/// </summary>
/// <remarks>
/// The hash covers <c>name</c>, <c>title</c>, <c>description</c>, <c>inputSchema</c>, <c>outputSchema</c>,
/// <c>annotations</c> and <c>_meta</c>, as the MCP SDK serializes them, in RFC 8785 canonical form. Icons are not
/// covered. A member that is absent or JSON null counts as absent.
/// </remarks>
public static class ToolDefinitionHash
{
    // In ordinal order, so the canonical object can be written without sorting.
    private static readonly string[] HashedMembers = ["_meta", "annotations", "description", "inputSchema", "name", "outputSchema", "title"];

    /// <summary>Computes the hash of a tool definition.</summary>
    /// <param name="tool">The tool definition.</param>
    /// <returns>The SHA-256 of the canonical definition, as 64 lower-case hex characters.</returns>
    /// <exception cref="ArgumentException">The definition holds JSON that is not I-JSON (see <see cref="CanonicalJson"/>).</exception>
    public static string Compute(Tool tool)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        WriteCanonical(buffer, tool);
        return CanonicalJson.HashHex(buffer.WrittenSpan);
    }

    /// <summary>Writes the canonical JSON that <see cref="Compute"/> hashes.</summary>
    internal static void WriteCanonical(IBufferWriter<byte> output, Tool tool)
    {
        ArgumentNullException.ThrowIfNull(tool);
        var typeInfo = (JsonTypeInfo<Tool>)McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(Tool));
        var definition = JsonSerializer.SerializeToElement(tool, typeInfo);

        CanonicalJsonWriter.WriteByte(output, (byte)'{');
        var first = true;
        foreach (var name in HashedMembers)
        {
            if (!definition.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            if (!first)
            {
                CanonicalJsonWriter.WriteByte(output, (byte)',');
            }

            CanonicalJsonWriter.WriteString(output, name);
            CanonicalJsonWriter.WriteByte(output, (byte)':');
            CanonicalJsonWriter.WriteValue(output, value);
            first = false;
        }

        CanonicalJsonWriter.WriteByte(output, (byte)'}');
    }
}
