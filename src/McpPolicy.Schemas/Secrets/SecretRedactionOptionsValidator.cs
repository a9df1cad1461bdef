using Microsoft.Extensions.Options;

namespace McpPolicy.Schemas.Secrets;

/// <summary>Validates <see cref="SecretRedactionOptions"/> at start-up.</summary>
internal sealed class SecretRedactionOptionsValidator : IValidateOptions<SecretRedactionOptions>
{
    public ValidateOptionsResult Validate(string? name, SecretRedactionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
