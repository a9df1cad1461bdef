using System.Collections.Immutable;

namespace McpPolicy.Schemas;

/// <summary>What a <see cref="CatalogLock"/> pins for one server: its tools, and the hashes of its instructions, prompts and resources.</summary>
public sealed class ServerLock
{
    internal ServerLock(string serverId, ImmutableSortedDictionary<string, LockedTool> tools, LockedHash? instructions, LockedHash? prompts, LockedHash? resources)
    {
        ServerId = serverId;
        ToolsByName = tools;
        Instructions = instructions;
        Prompts = prompts;
        Resources = resources;
    }

    /// <summary>The host-configured server id.</summary>
    public string ServerId { get; }

    /// <summary>The approved tools, by name in ordinal order.</summary>
    public IReadOnlyDictionary<string, LockedTool> Tools => ToolsByName;

    /// <summary>The approved hash of the server's instructions; null when none were approved (a server that gives instructions then counts as changed).</summary>
    public LockedHash? Instructions { get; }

    /// <summary>The approved hash of the server's prompt listing, when pinned.</summary>
    public LockedHash? Prompts { get; }

    /// <summary>The approved hash of the server's resource listing, when pinned.</summary>
    public LockedHash? Resources { get; }

    internal ImmutableSortedDictionary<string, LockedTool> ToolsByName { get; }

    internal static ServerLock Empty(string serverId) => new(serverId, ImmutableSortedDictionary.Create<string, LockedTool>(StringComparer.Ordinal), null, null, null);

    internal ServerLock With(ImmutableSortedDictionary<string, LockedTool>? tools = null) => new(ServerId, tools ?? ToolsByName, Instructions, Prompts, Resources);

    internal ServerLock WithHashes(LockedHash? instructions, LockedHash? prompts, LockedHash? resources) => new(ServerId, ToolsByName, instructions, prompts, resources);
}
