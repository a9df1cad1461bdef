namespace McpPolicy;

/// <summary>One disabled scope: what it covers, why, and since when.</summary>
public sealed class KillSwitchEntry
{
    /// <summary>Creates an entry.</summary>
    /// <param name="scope">What is disabled.</param>
    /// <param name="reason">Why, in one sentence safe to show to a model; null gives a generic message.</param>
    /// <param name="since">When it was disabled, when known.</param>
    public KillSwitchEntry(KillSwitchScope scope, string? reason = null, DateTimeOffset? since = null)
    {
        ArgumentNullException.ThrowIfNull(scope);
        Scope = scope;
        Reason = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim();
        Since = since;
    }

    /// <summary>What is disabled.</summary>
    public KillSwitchScope Scope { get; }

    /// <summary>Why, when given.</summary>
    public string? Reason { get; }

    /// <summary>When the scope was disabled, when known (runtime entries carry it; configured ones do not).</summary>
    public DateTimeOffset? Since { get; }

    /// <summary>True for an entry that came from the policy's <c>killSwitch</c> section rather than from <see cref="IKillSwitch.Disable"/>.</summary>
    public bool FromConfiguration { get; init; }

    /// <inheritdoc />
    public override string ToString() => Reason is null ? Scope.Text : $"{Scope.Text} ({Reason})";
}
