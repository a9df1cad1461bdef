namespace McpPolicy;

/// <summary>
/// Scopes the tool calls a host makes to one conversation, so conversation-aware filters (history, chains, budgets) see them
/// together. The scope flows with the async call path (like <see cref="AsyncLocal{T}"/>):
/// <code>using var scope = McpPolicyConversation.Begin("conv-42");
/// await client.CallToolAsync("search", args);</code>
/// A request's own <c>_meta["io.mcppolicy/conversationId"]</c> (<see cref="McpPolicyMetaKeys.ConversationId"/>) takes precedence over the scope.
/// </summary>
public sealed class McpPolicyConversation : IDisposable
{
    private static readonly AsyncLocal<McpPolicyConversation?> CurrentScope = new();

    private readonly McpPolicyConversation? _outer;
    private bool _disposed;

    private McpPolicyConversation(string id, McpPolicyConversation? outer)
    {
        Id = id;
        _outer = outer;
    }

    /// <summary>The conversation id calls in this scope carry.</summary>
    public string Id { get; }

    /// <summary>The conversation id of the innermost scope on the current async path, or null outside any scope.</summary>
    public static string? CurrentId => CurrentScope.Value?.Id;

    /// <summary>Starts a scope; dispose it to end it (restoring the enclosing scope, if any).</summary>
    /// <param name="conversationId">The conversation id, as the host identifies the conversation.</param>
    /// <returns>The scope.</returns>
    public static McpPolicyConversation Begin(string conversationId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(conversationId);
        var scope = new McpPolicyConversation(conversationId, CurrentScope.Value);
        CurrentScope.Value = scope;
        return scope;
    }

    /// <summary>Ends the scope on the current async path.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (ReferenceEquals(CurrentScope.Value, this))
        {
            CurrentScope.Value = _outer;
        }
    }
}
