using System.Globalization;
using System.Text;
using System.Text.Json;
using McpPolicy.Schemas;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpPolicy.Gateway.Pinning;

/// <summary>Pins a live catalog into a lock and compares a live catalog with a lock, with a semantic diff per changed tool.</summary>
internal static class CatalogComparison
{
    /// <summary>Replaces everything the lock holds for the server with what it lists now.</summary>
    public static (CatalogLock Lock, int Added, int Changed, int Removed) Pin(CatalogLock current, LiveCatalog live, string approvedBy, DateTimeOffset now)
    {
        var next = current;
        int added = 0, changed = 0, removed = 0;
        current.Servers.TryGetValue(live.ServerId, out var server);
        var listed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tool in live.Tools)
        {
            if (!listed.Add(tool.Name))
            {
                throw new ChildFailedException($"the server lists the tool '{tool.Name}' twice; a catalog with duplicate names cannot be pinned.");
            }

            var locked = LockedTool.Create(tool, approvedBy, now);
            if (server is null || !server.Tools.TryGetValue(tool.Name, out var old))
            {
                added++;
                next = next.SetTool(live.ServerId, locked);
            }
            else if (old.Hash != locked.Hash)
            {
                changed++;
                next = next.SetTool(live.ServerId, locked);
            }
        }

        if (server is not null)
        {
            foreach (var name in server.Tools.Keys)
            {
                if (!listed.Contains(name))
                {
                    removed++;
                    next = next.RemoveTool(live.ServerId, name);
                }
            }
        }

        next = next.SetServerHashes(
            live.ServerId,
            Hash(CatalogHash.Instructions(live.Instructions), server?.Instructions, approvedBy, now),
            live.Prompts is null ? null : Hash(CatalogHash.Prompts(live.Prompts), server?.Prompts, approvedBy, now),
            live.Resources is null ? null : Hash(CatalogHash.Resources(live.Resources), server?.Resources, approvedBy, now));
        return (next, added, changed, removed);
    }

    private static LockedHash? Hash(string? hash, LockedHash? old, string approvedBy, DateTimeOffset now)
        => hash is null ? null : old is not null && old.Hash == hash ? old : new LockedHash(hash, approvedBy, now);

    /// <summary>Describes every difference between the lock and the live catalog; the count of drifted items is returned with the text.</summary>
    public static (int Drift, string Report) Diff(CatalogLock pinned, LiveCatalog live)
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        var drift = 0;
        pinned.Servers.TryGetValue(live.ServerId, out var server);
        if (server is null)
        {
            text.Append(c, $"server '{live.ServerId}' is not in the lock file: all {live.Tools.Count} tool(s) are new\n");
        }

        var listed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tool in live.Tools.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            listed.Add(tool.Name);
            var definition = JsonSerializer.SerializeToElement(tool, McpJsonUtilities.DefaultOptions);
            if (server is null || !server.Tools.TryGetValue(tool.Name, out var locked))
            {
                drift++;
                text.Append(c, $"+ {live.ServerId}/{tool.Name}: new tool (not approved)\n");
                AppendDifferences(text, DefinitionDiff.Compare(null, definition));
                continue;
            }

            if (locked.Hash == ToolDefinitionHash.Compute(tool))
            {
                continue;
            }

            drift++;
            var differences = DefinitionDiff.Compare(locked.Definition, definition);
            text.Append(c, $"~ {live.ServerId}/{tool.Name}: changed ({DefinitionDiff.MaxSeverity(differences)})\n");
            AppendDifferences(text, differences);
        }

        if (server is not null)
        {
            foreach (var name in server.Tools.Keys.Order(StringComparer.Ordinal))
            {
                if (!listed.Contains(name))
                {
                    drift++;
                    text.Append(c, $"- {live.ServerId}/{name}: removed\n");
                }
            }

            if (server.Instructions?.Hash != CatalogHash.Instructions(live.Instructions))
            {
                drift++;
                text.Append(c, $"~ {live.ServerId}: server instructions changed\n");
            }
        }

        text.Insert(0, drift == 0
            ? $"no drift: the {live.Tools.Count} tool(s) of '{live.ServerId}' match the lock file\n"
            : $"DRIFT: {drift} difference(s) between '{live.ServerId}' and the lock file\n");
        return (drift, text.ToString());
    }

    private static void AppendDifferences(StringBuilder text, IReadOnlyList<DefinitionDifference> differences)
    {
        foreach (var d in differences)
        {
            text.Append("    ").Append(d.ToString()).Append('\n');
        }
    }
}
