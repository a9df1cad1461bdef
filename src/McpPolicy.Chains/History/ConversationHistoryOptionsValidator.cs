using Microsoft.Extensions.Options;

namespace McpPolicy.Chains;

/// <summary>Validates <see cref="ConversationHistoryOptions"/> at start-up.</summary>
internal sealed class ConversationHistoryOptionsValidator : IValidateOptions<ConversationHistoryOptions>
{
    public ValidateOptionsResult Validate(string? name, ConversationHistoryOptions options)
    {
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
