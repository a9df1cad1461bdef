namespace McpPolicy;

/// <summary>The policy's answer for one tool call: the final risk, what to do, and every reason behind it.</summary>
public sealed class PolicyDecision
{
    /// <summary>Creates a decision; the outcome is derived from <paramref name="risk"/>.</summary>
    /// <param name="risk">The final risk.</param>
    /// <param name="reasons">Every contribution that set or raised the risk, in evaluation order.</param>
    /// <param name="policyVersion">The content hash of the compiled policy that decided.</param>
    public PolicyDecision(RiskLevel risk, IReadOnlyList<PolicyReason> reasons, string policyVersion)
    {
        ArgumentNullException.ThrowIfNull(reasons);
        ArgumentNullException.ThrowIfNull(policyVersion);
        Risk = risk;
        Outcome = OutcomeOf(risk);
        Reasons = reasons;
        PolicyVersion = policyVersion;
    }

    /// <summary>The final risk: the maximum over every contribution.</summary>
    public RiskLevel Risk { get; }

    /// <summary>What the gate does with the call.</summary>
    public PolicyOutcome Outcome { get; }

    /// <summary>Every contribution that set or raised the risk, in evaluation order (base risk first).</summary>
    public IReadOnlyList<PolicyReason> Reasons { get; }

    /// <summary>The content hash of the compiled policy that made this decision.</summary>
    public string PolicyVersion { get; }

    /// <summary>True when the call may proceed without an approval.</summary>
    public bool IsAllowed => Outcome is PolicyOutcome.Allow or PolicyOutcome.AllowAudited;

    /// <summary>The first reason whose risk equals the final risk: the one that decided.</summary>
    public PolicyReason DecisiveReason
    {
        get
        {
            var reasons = Reasons;
            for (var i = 0; i < reasons.Count; i++)
            {
                if (reasons[i].Risk == Risk)
                {
                    return reasons[i];
                }
            }

            return reasons.Count > 0 ? reasons[^1] : new PolicyReason("policy", "no reason recorded", Risk);
        }
    }

    /// <summary>Maps a risk to its outcome: Low allows, Medium allows with audit, High requires approval, Block denies.</summary>
    /// <param name="risk">The risk.</param>
    /// <returns>The outcome for that risk.</returns>
    public static PolicyOutcome OutcomeOf(RiskLevel risk) => risk switch
    {
        RiskLevel.Low => PolicyOutcome.Allow,
        RiskLevel.Medium => PolicyOutcome.AllowAudited,
        RiskLevel.High => PolicyOutcome.RequiresApproval,
        _ => PolicyOutcome.Deny,
    };

    /// <inheritdoc />
    public override string ToString() => $"{Risk} → {Outcome}: {string.Join("; ", Reasons)}";
}
