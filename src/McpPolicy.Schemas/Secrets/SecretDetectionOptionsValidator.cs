using Microsoft.Extensions.Options;

namespace McpPolicy.Schemas.Secrets;

/// <summary>Validates <see cref="SecretDetectionOptions"/> at start-up.</summary>
internal sealed class SecretDetectionOptionsValidator : IValidateOptions<SecretDetectionOptions>
{
    public ValidateOptionsResult Validate(string? name, SecretDetectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
