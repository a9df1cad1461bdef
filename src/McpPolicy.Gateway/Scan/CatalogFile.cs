using System.Text.Json;

namespace McpPolicy.Gateway.Scan;

/// <summary>
/// Reads the tool definitions to scan from a JSON file: an array of tool definitions, a <c>tools/list</c> result
/// (<c>{ "tools": [...] }</c>, also inside a JSON-RPC response's <c>result</c>), or several servers
/// (<c>{ "servers": { "&lt;id&gt;": { "tools": [...] } } }</c>, a server's value may also be the array itself).
/// </summary>
internal static class CatalogFile
{
    /// <summary>How deeply the file may nest; the scanner reports anything deeper than its own limit as a finding.</summary>
    private const int MaxJsonDepth = 512;

    public const string Shapes =
        "a JSON array of tool definitions, a tools/list result { \"tools\": [...] }, or { \"servers\": { \"<id>\": { \"tools\": [...] } } }";

    /// <summary>Loads the file; throws <see cref="UsageException"/> with a message that says what is wrong.</summary>
    public static (JsonDocument Document, List<KeyValuePair<string, IReadOnlyList<JsonElement>>> Servers) Load(string path, string defaultServerId)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new UsageException($"cannot read '{path}': {e.Message}", e);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = MaxJsonDepth });
        }
        catch (JsonException e)
        {
            throw new UsageException($"'{path}' is not valid JSON: {e.Message}", e);
        }

        try
        {
            return (document, Servers(document.RootElement, path, defaultServerId));
        }
        catch
        {
            document.Dispose();
            throw;
        }
    }

    private static List<KeyValuePair<string, IReadOnlyList<JsonElement>>> Servers(JsonElement root, string path, string defaultServerId)
    {
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("servers", out var servers))
        {
            if (servers.ValueKind != JsonValueKind.Object)
            {
                throw new UsageException($"'{path}': \"servers\" must be an object mapping each server id to its tools; expected {Shapes}.");
            }

            var list = new List<KeyValuePair<string, IReadOnlyList<JsonElement>>>();
            foreach (var server in servers.EnumerateObject())
            {
                if (server.Name.Length == 0 || server.Name.Contains('/', StringComparison.Ordinal))
                {
                    throw new UsageException($"'{path}': server id '{server.Name}' must be non-empty and must not contain '/'.");
                }

                list.Add(new(server.Name, Tools(server.Value, path, $"servers.{server.Name}")));
            }

            return list;
        }

        return [new(defaultServerId, Tools(root, path, "the top level"))];
    }

    private static JsonElement[] Tools(JsonElement value, string path, string where)
    {
        if (value.ValueKind == JsonValueKind.Object && value.TryGetProperty("result", out var result) && result.ValueKind == JsonValueKind.Object)
        {
            value = result;
        }

        if (value.ValueKind == JsonValueKind.Object && value.TryGetProperty("tools", out var tools))
        {
            value = tools;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new UsageException($"'{path}': {where} holds no list of tools; expected {Shapes}.");
        }

        return value.EnumerateArray().ToArray();
    }
}
