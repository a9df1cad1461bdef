using McpPolicy.Control;
using McpPolicy.Engine;
using Microsoft.Extensions.Options;

namespace McpPolicy;

/// <summary>Validates the policy at start-up by compiling it with the registered rules.</summary>
internal sealed class McpPolicyOptionsValidator : IValidateOptions<McpPolicyOptions>
{
    private readonly IEnumerable<IPolicyRule> _rules;
    private readonly IEnumerable<IArgumentConstraintKind> _kinds;
    private readonly ISchemaOverlayCompiler? _schemaOverlays;

    public McpPolicyOptionsValidator(IEnumerable<IPolicyRule> rules, IEnumerable<IArgumentConstraintKind> kinds, ISchemaOverlayCompiler? schemaOverlays = null)
    {
        _rules = rules;
        _kinds = kinds;
        _schemaOverlays = schemaOverlays;
    }

    public ValidateOptionsResult Validate(string? name, McpPolicyOptions options)
    {
        try
        {
            PolicyCompiler.Compile(options, _rules, _kinds, _schemaOverlays);
            var limitErrors = CompiledLimits.Validate(options, out _);
            return limitErrors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(limitErrors.Select(e => e.ToString()));
        }
        catch (PolicyValidationException ex)
        {
            return ValidateOptionsResult.Fail(ex.Errors.Select(e => e.ToString()));
        }
    }
}
