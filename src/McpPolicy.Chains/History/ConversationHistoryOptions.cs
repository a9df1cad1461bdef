namespace McpPolicy.Chains;

/// <summary>How much conversation history the in-memory store keeps, and for how long.</summary>
public sealed class ConversationHistoryOptions
{
    /// <summary>The largest allowed <see cref="MaxEventsPerConversation"/>.</summary>
    public const int MaxEventsLimit = 1_000_000;

    /// <summary>The largest allowed <see cref="IdleTimeout"/>.</summary>
    public static readonly TimeSpan MaxIdleTimeout = TimeSpan.FromDays(365);

    /// <summary>How many calls each conversation keeps; older calls are dropped first. Default 256.</summary>
    public int MaxEventsPerConversation { get; set; } = 256;

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

        if (IdleTimeout <= TimeSpan.Zero || IdleTimeout > MaxIdleTimeout)
        {
            errors.Add($"{nameof(IdleTimeout)} must be positive and at most {MaxIdleTimeout.TotalDays} days, but is {IdleTimeout}.");
        }

        return errors;
    }
}
