namespace McpPolicy;

/// <summary>
/// What a kill switch entry disables: everything (<c>all</c>), one server (<c>server:fs</c>), or one tool or the tools a
/// <c>server/tool</c> glob matches (<c>fs/write_file</c>, <c>fs/write_*</c>, <c>*/delete_*</c>), the same globs as a policy's <c>match</c>.
/// </summary>
public sealed class KillSwitchScope : IEquatable<KillSwitchScope>
{
    private const string ServerPrefix = "server:";
    private readonly ToolPattern? _pattern;

    private KillSwitchScope(KillSwitchScopeKind kind, string target, ToolPattern? pattern)
    {
        Kind = kind;
        Target = target;
        _pattern = pattern;
        Text = kind switch
        {
            KillSwitchScopeKind.All => "all",
            KillSwitchScopeKind.Server => ServerPrefix + target,
            _ => target,
        };
        Id = "killswitch:" + Text;
    }

    /// <summary>The scope that disables every tool of every server.</summary>
    public static KillSwitchScope All { get; } = new(KillSwitchScopeKind.All, "", null);

    /// <summary>What the scope covers.</summary>
    public KillSwitchScopeKind Kind { get; }

    /// <summary>The server id (<see cref="KillSwitchScopeKind.Server"/>), the <c>server/tool</c> glob (<see cref="KillSwitchScopeKind.Tool"/>), or empty.</summary>
    public string Target { get; }

    /// <summary>The scope as written in configuration: <c>all</c>, <c>server:&lt;id&gt;</c> or a <c>server/tool</c> glob.</summary>
    public string Text { get; }

    /// <summary>The rule id a denial by this scope carries: <c>killswitch:</c> followed by <see cref="Text"/>.</summary>
    public string Id { get; }

    /// <summary>A scope that disables every tool of one server.</summary>
    /// <param name="serverId">The host-configured server id.</param>
    /// <returns>The scope.</returns>
    public static KillSwitchScope Server(string serverId)
    {
        ArgumentException.ThrowIfNullOrEmpty(serverId);
        if (serverId.Contains('/', StringComparison.Ordinal) || serverId.Contains('*', StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{serverId}' is not a server id: a server id has no '/' or '*'; use Tool(\"{serverId}\") for a glob.", nameof(serverId));
        }

        return new KillSwitchScope(KillSwitchScopeKind.Server, serverId, null);
    }

    /// <summary>A scope that disables one tool or the tools a glob matches.</summary>
    /// <param name="pattern">A <c>server/tool</c> name or glob, such as <c>fs/write_file</c> or <c>*/delete_*</c>.</param>
    /// <returns>The scope.</returns>
    /// <exception cref="ArgumentException">The pattern is not a valid <c>server/tool</c> glob.</exception>
    public static KillSwitchScope Tool(string pattern)
    {
        if (!ToolPattern.TryParse(pattern, out var parsed, out var error))
        {
            throw new ArgumentException(error, nameof(pattern));
        }

        return new KillSwitchScope(KillSwitchScopeKind.Tool, parsed!.Text, parsed);
    }

    /// <summary>Reads a scope as written in configuration: <c>all</c>, <c>server:&lt;id&gt;</c> or a <c>server/tool</c> glob.</summary>
    /// <param name="text">The text.</param>
    /// <param name="scope">The scope, when valid.</param>
    /// <param name="error">What is wrong, when invalid.</param>
    /// <returns>True when the text is a valid scope.</returns>
    public static bool TryParse(string? text, out KillSwitchScope? scope, out string? error)
    {
        scope = null;
        error = null;
        var trimmed = text?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            error = "the kill switch scope is empty; write \"all\", \"server:<id>\" or a server/tool glob such as \"fs/write_*\"";
            return false;
        }

        if (string.Equals(trimmed, "all", StringComparison.OrdinalIgnoreCase))
        {
            scope = All;
            return true;
        }

        if (trimmed.StartsWith(ServerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            var id = trimmed[ServerPrefix.Length..];
            if (id.Length == 0 || id.Contains('/', StringComparison.Ordinal) || id.Contains('*', StringComparison.Ordinal))
            {
                error = $"'{trimmed}' does not name a server: write \"server:<id>\" with the host's server id (no '/' or '*')";
                return false;
            }

            scope = new KillSwitchScope(KillSwitchScopeKind.Server, id, null);
            return true;
        }

        if (!ToolPattern.TryParse(trimmed, out var pattern, out var patternError))
        {
            error = patternError + "; a kill switch scope is \"all\", \"server:<id>\" or a server/tool glob";
            return false;
        }

        scope = new KillSwitchScope(KillSwitchScopeKind.Tool, pattern!.Text, pattern);
        return true;
    }

    /// <summary>Reads a scope as written in configuration.</summary>
    /// <param name="text">The text: <c>all</c>, <c>server:&lt;id&gt;</c> or a <c>server/tool</c> glob.</param>
    /// <returns>The scope.</returns>
    /// <exception cref="FormatException">The text is not a valid scope.</exception>
    public static KillSwitchScope Parse(string text)
        => TryParse(text, out var scope, out var error) ? scope! : throw new FormatException(error);

    /// <summary>True when the scope covers tool <paramref name="toolName"/> of server <paramref name="serverId"/>.</summary>
    /// <param name="serverId">The host-configured server id.</param>
    /// <param name="toolName">The tool's name.</param>
    /// <returns>Whether the tool is covered.</returns>
    public bool Matches(string serverId, string toolName) => Kind switch
    {
        KillSwitchScopeKind.All => true,
        KillSwitchScopeKind.Server => string.Equals(serverId, Target, StringComparison.Ordinal),
        _ => _pattern!.Matches(serverId, toolName),
    };

    /// <inheritdoc />
    public bool Equals(KillSwitchScope? other) => other is not null && Kind == other.Kind && string.Equals(Target, other.Target, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as KillSwitchScope);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Kind, StringComparer.Ordinal.GetHashCode(Target));

    /// <inheritdoc />
    public override string ToString() => Text;
}
