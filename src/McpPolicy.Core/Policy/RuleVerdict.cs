namespace McpPolicy;

/// <summary>What a custom <see cref="IPolicyRule"/> says about a call: no opinion, or a risk with a reason.</summary>
public readonly struct RuleVerdict : IEquatable<RuleVerdict>
{
    private RuleVerdict(RiskLevel risk, string reason)
    {
        HasOpinion = true;
        Risk = risk;
        Reason = reason;
    }

    /// <summary>The rule does not apply to this call.</summary>
    public static RuleVerdict NoOpinion => default;

    /// <summary>True when the rule asks for a risk.</summary>
    public bool HasOpinion { get; }

    /// <summary>The risk the rule asks for (meaningful only when <see cref="HasOpinion"/> is true).</summary>
    public RiskLevel Risk { get; }

    /// <summary>Why, in one sentence (meaningful only when <see cref="HasOpinion"/> is true).</summary>
    public string? Reason { get; }

    /// <summary>The rule asks for at least <paramref name="risk"/> for this call. Rules only raise: a lower risk than the base has no effect.</summary>
    /// <param name="risk">The risk.</param>
    /// <param name="reason">A short explanation, safe to show to a model or a user.</param>
    /// <returns>The verdict.</returns>
    public static RuleVerdict Raise(RiskLevel risk, string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return new RuleVerdict(risk, reason);
    }

    /// <summary>Shorthand for <c>Raise(RiskLevel.Block, reason)</c>.</summary>
    /// <param name="reason">A short explanation.</param>
    /// <returns>The verdict.</returns>
    public static RuleVerdict Block(string reason) => Raise(RiskLevel.Block, reason);

    /// <inheritdoc />
    public bool Equals(RuleVerdict other) => HasOpinion == other.HasOpinion && Risk == other.Risk && string.Equals(Reason, other.Reason, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is RuleVerdict other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(HasOpinion, Risk, Reason);

    /// <summary>Compares two verdicts.</summary>
    /// <param name="left">The first verdict.</param>
    /// <param name="right">The second verdict.</param>
    /// <returns>True when equal.</returns>
    public static bool operator ==(RuleVerdict left, RuleVerdict right) => left.Equals(right);

    /// <summary>Compares two verdicts.</summary>
    /// <param name="left">The first verdict.</param>
    /// <param name="right">The second verdict.</param>
    /// <returns>True when different.</returns>
    public static bool operator !=(RuleVerdict left, RuleVerdict right) => !left.Equals(right);
}
