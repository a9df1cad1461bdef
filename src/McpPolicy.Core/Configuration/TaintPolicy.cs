namespace McpPolicy;

/// <summary>
/// The <c>flows.taint</c> section: results of <see cref="FlowLabels.UntrustedSource"/> and <see cref="FlowLabels.PrivateData"/>
/// tools are fingerprinted, and a later argument that contains a fragment of one is reported with the call it came from.
/// </summary>
public sealed class TaintPolicy
{
    /// <summary>The smallest allowed <see cref="MinLength"/>.</summary>
    public const int MinLengthLowest = 4;

    /// <summary>The largest allowed <see cref="MinLength"/>.</summary>
    public const int MinLengthHighest = 256;

    /// <summary>
    /// The shortest fragment, in characters after normalization (case folded, whitespace runs collapsed to one space),
    /// that counts as taken from a result. Default 12.
    /// </summary>
    public int MinLength { get; set; } = 12;

    /// <summary>The risk of a tainted argument no <see cref="Arguments"/> entry names. Default: Low (reported, not raised).</summary>
    public RiskLevel Risk { get; set; } = RiskLevel.Low;

    /// <summary>
    /// Risks per tool and argument: keyed by a glob on <c>server/tool</c>, then by argument name or JSON Pointer
    /// (<c>/options/target</c>), such as <c>{ "bank/send_money": { "recipient": High } }</c>. Every matching entry applies.
    /// </summary>
    public IDictionary<string, IDictionary<string, RiskLevel>> Arguments { get; } = new Dictionary<string, IDictionary<string, RiskLevel>>(StringComparer.Ordinal);
}
