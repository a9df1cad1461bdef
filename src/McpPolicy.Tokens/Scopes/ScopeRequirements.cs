using Microsoft.Extensions.Options;

namespace McpPolicy.Tokens;

/// <summary>
/// The scopes a tool requires: those of its <see cref="RequireScopeAttribute"/> plus those of every policy <c>tools</c> entry
/// whose <c>match</c> covers <c>serverId/toolName</c>.
/// </summary>
internal sealed class ScopeRequirements
{
    private readonly IOptionsMonitor<McpPolicyOptions> _policy;
    private Compiled? _compiled;

    public ScopeRequirements(IOptionsMonitor<McpPolicyOptions> policy)
    {
        _policy = policy;
    }

    /// <summary>The required scopes, without duplicates, in a stable order (attribute first, then policy entries in order).</summary>
    public IReadOnlyList<string> For(string serverId, string toolName, ToolDescriptor? tool)
    {
        var result = new List<string>();
        if (tool is not null && ToolPolicyMetadata.FindLast<RequireScopeAttribute>(tool.Metadata) is { } attribute)
        {
            foreach (var scope in attribute.Scopes)
            {
                if (!result.Contains(scope, StringComparer.Ordinal))
                {
                    result.Add(scope);
                }
            }
        }

        foreach (var (pattern, scopes) in Current().Entries)
        {
            if (!pattern.Matches(serverId, toolName))
            {
                continue;
            }

            foreach (var scope in scopes)
            {
                if (!result.Contains(scope, StringComparer.Ordinal))
                {
                    result.Add(scope);
                }
            }
        }

        return result;
    }

    private Compiled Current()
    {
        var options = _policy.CurrentValue;
        var compiled = Volatile.Read(ref _compiled);
        if (compiled is not null && ReferenceEquals(compiled.Source, options))
        {
            return compiled;
        }

        var entries = new List<(ToolPattern, string[])>();
        foreach (var entry in options.Tools)
        {
            if (entry.Scopes.Count == 0)
            {
                continue;
            }

            foreach (var scope in entry.Scopes)
            {
                if (!ScopeToken.IsValid(scope))
                {
                    throw new InvalidOperationException($"The tools entry '{entry.Match}' lists '{scope}', which is not an OAuth scope token.");
                }
            }

            // The policy compiler has checked the pattern already; an invalid one here would mean an uncompiled policy.
            if (!ToolPattern.TryParse(entry.Match, out var pattern, out var error))
            {
                throw new InvalidOperationException($"The tools entry '{entry.Match}' has an invalid match: {error}.");
            }

            entries.Add((pattern!, [.. entry.Scopes]));
        }

        compiled = new Compiled(options, entries);
        Volatile.Write(ref _compiled, compiled);
        return compiled;
    }

    private sealed record Compiled(McpPolicyOptions Source, List<(ToolPattern Pattern, string[] Scopes)> Entries);
}
