using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;

namespace McpPolicy.Schemas.Constraints;

/// <summary>
/// When an MCP server's options are built, compiles the constraint attributes of every tool in its collection (so an
/// invalid attribute stops the server from starting, not a call), and publishes what JSON Schema can say about them: a URL
/// argument constrained by <see cref="AllowedHostsAttribute"/> gets <c>"format": "uri"</c> and a pattern for its schemes.
/// </summary>
/// <remarks>
/// It runs before any <see cref="ToolDescriptor"/> is built, so definition hashes include the additions. Keywords the
/// schema already has are left alone; tools added to the collection after start-up are enforced but not annotated.
/// </remarks>
internal sealed class InputSchemaAnnotator : IPostConfigureOptions<McpServerOptions>
{
    public void PostConfigure(string? name, McpServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.ToolCollection is not { } tools)
        {
            return;
        }

        foreach (var tool in tools)
        {
            var constraints = ToolArgumentConstraints.Compile(tool.Metadata);
            var urls = constraints.Constraints
                .Where(c => c.Attribute is AllowedHostsAttribute && !c.Attribute.Argument.StartsWith('/'))
                .ToList();
            if (urls.Count > 0)
            {
                Annotate(tool, urls);
            }
        }
    }

    private static void Annotate(McpServerTool tool, List<ArgumentConstraint> urls)
    {
        var protocol = tool.ProtocolTool;
        if (JsonNode.Parse(protocol.InputSchema.GetRawText()) is not JsonObject schema
            || schema["properties"] is not JsonObject properties)
        {
            return;
        }

        var changed = false;
        foreach (var constraint in urls)
        {
            if (properties[constraint.Attribute.Argument] is not JsonObject property)
            {
                continue;
            }

            // An array of URLs: each item is a URL.
            var target = property["items"] as JsonObject ?? property;
            if (target["format"] is null)
            {
                target["format"] = "uri";
                changed = true;
            }

            if (target["pattern"] is null)
            {
                target["pattern"] = SchemePattern(((AllowedHostsAttribute)constraint.Attribute).EffectiveSchemes);
                changed = true;
            }
        }

        if (changed)
        {
            using var document = JsonDocument.Parse(schema.ToJsonString());
            protocol.InputSchema = document.RootElement.Clone();
        }
    }

    /// <summary>An ECMA-262 and .NET compatible pattern for a URL that starts with one of the schemes, in any casing.</summary>
    private static string SchemePattern(IEnumerable<string> schemes)
    {
        var builder = new StringBuilder("^(?:");
        var first = true;
        foreach (var scheme in schemes.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            builder.Append(first ? "" : "|");
            first = false;
            foreach (var c in scheme)
            {
                if (char.IsAsciiLetter(c))
                {
                    builder.Append('[').Append(char.ToUpperInvariant(c)).Append(char.ToLowerInvariant(c)).Append(']');
                }
                else
                {
                    builder.Append(char.IsAsciiDigit(c) ? "" : "\\").Append(c);
                }
            }
        }

        return builder.Append(")://").ToString();
    }
}
