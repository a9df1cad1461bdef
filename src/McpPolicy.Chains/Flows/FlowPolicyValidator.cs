using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace McpPolicy.Chains;

/// <summary>Compiles the flow parts of the policy at start-up, so an invalid chain or label fails the host, not the first call.</summary>
internal sealed class FlowPolicyValidator : IValidateOptions<McpPolicyOptions>
{
    private readonly IServiceProvider _services;

    public FlowPolicyValidator(IServiceProvider services)
    {
        _services = services;
    }

    public ValidateOptionsResult Validate(string? name, McpPolicyOptions options)
    {
        if (name != Options.DefaultName)
        {
            return ValidateOptionsResult.Skip;
        }

        try
        {
            CompiledFlowRules.Compile(options, _services.GetServices<IArgumentConstraintKind>());
            return ValidateOptionsResult.Success;
        }
        catch (PolicyValidationException ex)
        {
            return ValidateOptionsResult.Fail(ex.Errors.Select(e => e.ToString()));
        }
    }
}
