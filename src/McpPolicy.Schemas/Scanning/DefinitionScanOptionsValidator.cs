using Microsoft.Extensions.Options;

namespace McpPolicy.Schemas.Scanning;

/// <summary>Validates <see cref="DefinitionScanOptions"/> at start-up.</summary>
internal sealed class DefinitionScanOptionsValidator : IValidateOptions<DefinitionScanOptions>
{
    public ValidateOptionsResult Validate(string? name, DefinitionScanOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
