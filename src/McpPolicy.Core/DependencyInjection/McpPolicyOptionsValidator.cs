using McpPolicy.Engine;
using Microsoft.Extensions.Options;

namespace McpPolicy;

/// <summary>Validates the policy at start-up by compiling it with the registered rules.</summary>
internal sealed class McpPolicyOptionsValidator : IValidateOptions<McpPolicyOptions>
{
    private readonly IEnumerable<IPolicyRule> _rules;

    public McpPolicyOptionsValidator(IEnumerable<IPolicyRule> rules)
    {
        _rules = rules;
    }

    public ValidateOptionsResult Validate(string? name, McpPolicyOptions options)
    {
        try
        {
            PolicyCompiler.Compile(options, _rules);
            return ValidateOptionsResult.Success;
        }
        catch (PolicyValidationException ex)
        {
            return ValidateOptionsResult.Fail(ex.Errors.Select(e => e.ToString()));
        }
    }
}
