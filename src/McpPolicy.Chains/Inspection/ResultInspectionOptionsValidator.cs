using Microsoft.Extensions.Options;

namespace McpPolicy.Chains.Inspection;

/// <summary>Validates <see cref="ResultInspectionOptions"/> at start-up.</summary>
internal sealed class ResultInspectionOptionsValidator : IValidateOptions<ResultInspectionOptions>
{
    public ValidateOptionsResult Validate(string? name, ResultInspectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
