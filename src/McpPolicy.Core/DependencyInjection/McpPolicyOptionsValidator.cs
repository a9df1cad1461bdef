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
    private readonly FlowRulesRegistration? _flowRules;

    public McpPolicyOptionsValidator(IEnumerable<IPolicyRule> rules, IEnumerable<IArgumentConstraintKind> kinds, ISchemaOverlayCompiler? schemaOverlays = null, FlowRulesRegistration? flowRules = null)
    {
        _rules = rules;
        _kinds = kinds;
        _schemaOverlays = schemaOverlays;
        _flowRules = flowRules;
    }

    public ValidateOptionsResult Validate(string? name, McpPolicyOptions options)
    {
        try
        {
            PolicyCompiler.Compile(options, _rules, _kinds, _schemaOverlays);
            var errors = CompiledLimits.Validate(options, out _).Select(e => e.ToString()).ToList();
            if (_flowRules is null)
            {
                errors.AddRange(UnenforcedFlowSections(options).Select(e => e.ToString()));
            }

            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
        catch (PolicyValidationException ex)
        {
            return ValidateOptionsResult.Fail(ex.Errors.Select(e => e.ToString()));
        }
    }

    /// <summary>
    /// The sections only McpPolicy.Chains enforces, when it is not registered: chains, flow settings other than the defaults, and labels
    /// (unless the sink byte budget, which Core enforces, uses them).
    /// </summary>
    internal static IEnumerable<PolicyError> UnenforcedFlowSections(McpPolicyOptions options)
    {
        const string Fix = "add McpPolicy.Chains and call AddFlowRules() on the McpPolicy builder, or remove the section";
        if (options.Chains.Count > 0)
        {
            yield return new PolicyError("$.chains", options.Chains[0]?.Source, "chains are enforced by McpPolicy.Chains, which is not registered: " + Fix);
        }

        var f = options.Flows;
        var defaults = new FlowPolicy();
        if (f.UntrustedThenPrivateThenSink != defaults.UntrustedThenPrivateThenSink || f.Taint.MinLength != defaults.Taint.MinLength
            || f.Taint.Risk != defaults.Taint.Risk || f.Taint.Arguments.Count > 0)
        {
            yield return new PolicyError("$.flows", null, "flows are enforced by McpPolicy.Chains, which is not registered: " + Fix);
        }

        if (options.Labels.Count > 0 && options.Limits.PerConversation.MaxSinkBytes is null)
        {
            yield return new PolicyError("$.labels", null, "labels are used by McpPolicy.Chains (flow rules) and limits.perConversation.maxSinkBytes, and neither is in use: " + Fix);
        }
    }
}
