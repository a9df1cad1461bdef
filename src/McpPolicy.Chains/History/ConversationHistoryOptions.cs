namespace McpPolicy.Chains;

/// <summary>How much conversation history the in-memory store keeps, and for how long.</summary>
public sealed class ConversationHistoryOptions
{
    /// <summary>The largest allowed <see cref="MaxEventsPerConversation"/>.</summary>
    public const int MaxEventsLimit = 1_000_000;

    /// <summary>The largest allowed <see cref="MaxTaintedCharactersPerConversation"/>.</summary>
    public const int MaxTaintedCharactersLimit = 16 * 1024 * 1024;

    /// <summary>The largest allowed <see cref="IdleTimeout"/>.</summary>
    public static readonly TimeSpan MaxIdleTimeout = TimeSpan.FromDays(365);

    /// <summary>How many calls each conversation keeps; older calls are dropped first. Default 256.</summary>
    public int MaxEventsPerConversation { get; set; } = 256;

    /// <summary>
    /// How many characters of untrusted and private results (after normalization) each conversation keeps fingerprinted for
    /// taint; the oldest results are dropped first, and a single larger result keeps its beginning. Each character costs
    /// at most about 56 bytes. 0 turns taint tracking off. Default 32,768.
    /// </summary>
    public int MaxTaintedCharactersPerConversation { get; set; } = 32 * 1024;

    /// <summary>How long a conversation may go without a new call before its history is forgotten. Default 1 hour.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Lists what is wrong with the options; empty when they are valid.</summary>
    internal List<string> Validate()
    {
        var errors = new List<string>();
        if (MaxEventsPerConversation is < 1 or > MaxEventsLimit)
        {
            errors.Add($"{nameof(MaxEventsPerConversation)} must be between 1 and {MaxEventsLimit}, but is {MaxEventsPerConversation}.");
        }

        if (MaxTaintedCharactersPerConversation is < 0 or > MaxTaintedCharactersLimit)
        {
            errors.Add($"{nameof(MaxTaintedCharactersPerConversation)} must be between 0 and {MaxTaintedCharactersLimit}, but is {MaxTaintedCharactersPerConversation}.");
        }

        if (IdleTimeout <= TimeSpan.Zero || IdleTimeout > MaxIdleTimeout)
        {
            errors.Add($"{nameof(IdleTimeout)} must be positive and at most {MaxIdleTimeout.TotalDays} days, but is {IdleTimeout}.");
        }

        return errors;
    }
}
