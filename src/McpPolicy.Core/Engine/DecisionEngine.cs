namespace McpPolicy.Engine;

/// <summary>The decision procedure over a resolved <see cref="ToolPlan"/>. Shared by the indexed evaluator and the linear reference.</summary>
internal static class DecisionEngine
{
    /// <summary>The risk a tool has whatever its arguments: base risk raised by untrusted hints. Used to hide tools from listings.</summary>
    public static RiskLevel ListingRisk(CompiledPolicy policy, ToolPlan plan, ToolDescriptor tool)
    {
        var risk = BaseReason(policy, plan, tool, out _).Risk;
        if (!plan.Trusted && risk != RiskLevel.Block)
        {
            var hint = HintReason(policy, tool.Hints);
            if (hint is not null && hint.Risk > risk)
            {
                risk = hint.Risk;
            }
        }

        return risk;
    }

    public static PolicyDecision Decide(CompiledPolicy policy, ToolPlan plan, ToolInvocationContext context, Action<string, Exception>? onRuleError)
    {
        var tool = context.Tool;
        var baseReason = BaseReason(policy, plan, tool, out var slot);
        var risk = baseReason.Risk;
        List<PolicyReason>? raised = null;

        if (risk != RiskLevel.Block)
        {
            // 2. Hints of an untrusted server can only raise; missing hints take the specification's worst case.
            //    A tool never listed has no hints, but its constraints and rules still apply.
            if (tool is not null && !plan.Trusted)
            {
                var hint = HintReason(policy, tool.Hints);
                if (hint is not null)
                {
                    Add(ref raised, ref risk, hint);
                }
            }

            // A tool never listed gets defaults.unknownTool as its base; a tools entry that rates the name higher still raises it.
            if (tool is null && plan.BaseEntry is { } unknownEntry && unknownEntry.Risk > risk)
            {
                Add(ref raised, ref risk, unknownEntry.BaseReason);
            }

            // 3 and 4: argument constraints and rules.
            if (plan.UsesArguments)
            {
                // The facts of each argument key the plan's conditions test, looked up at most once for this call.
                if (plan.KeyCount <= FewArgumentSlots.Capacity)
                {
                    var few = default(FewArgumentSlots);
                    CheckArguments(plan, context, onRuleError, few, ref raised, ref risk);
                }
                else
                {
                    var slots = default(ArgumentSlots);
                    CheckArguments(plan, context, onRuleError, slots, ref raised, ref risk);
                }
            }
        }

        if (raised is null)
        {
            return plan.PlainDecision(slot, baseReason, policy.Version);
        }

        var reasons = new PolicyReason[raised.Count + 1];
        reasons[0] = baseReason;
        raised.CopyTo(reasons, 1);
        return new PolicyDecision(risk, reasons, policy.Version);
    }

    /// <summary>Base risk: unknown tool, else the most specific tools entry, else the author's declared risk, else a trusted server's hints, else the default.</summary>
    private static PolicyReason BaseReason(CompiledPolicy policy, ToolPlan plan, ToolDescriptor? tool, out int slot)
    {
        PolicyReason baseReason;
        if (tool is null)
        {
            baseReason = policy.UnknownToolReason;
            slot = ToolPlan.UnknownSlot;
        }
        else if (plan.BaseEntry is { } entry)
        {
            baseReason = entry.BaseReason;
            slot = 0;
        }
        else if (tool.DeclaredRisk is { } declared && Enum.IsDefined(declared))
        {
            baseReason = policy.DeclaredReasons[(int)declared];
            slot = 2 + (int)declared;
        }
        else if (plan.Trusted && tool.Hints.ReadOnly == true)
        {
            baseReason = policy.TrustedReadOnlyReason;
            slot = 6;
        }
        else if (plan.Trusted && tool.Hints.ReadOnly != true && tool.Hints.Destructive == true)
        {
            baseReason = policy.TrustedDestructiveReason;
            slot = 7;
        }
        else
        {
            baseReason = policy.DefaultReason;
            slot = 1;
        }

        return baseReason;
    }

    /// <summary>What an untrusted server's hints (or their worst-case defaults) ask for: destructive → High, other writes → Medium, open-world reads → Medium.</summary>
    private static PolicyReason? HintReason(CompiledPolicy policy, ToolHints hints)
        => !hints.IsReadOnly ? (hints.IsDestructive ? policy.HintDestructive : policy.HintWrite)
            : hints.IsOpenWorld ? policy.HintOpenWorld
            : null;

    /// <summary>Applies the argument constraints of every matching tools entry, then the rules in id order; stops at Block.</summary>
    private static void CheckArguments(ToolPlan plan, ToolInvocationContext context, Action<string, Exception>? onRuleError, Span<ValueFacts> cache, ref List<PolicyReason>? raised, ref RiskLevel risk)
    {
        // 3. Argument constraints of every matching tools entry.
        var arguments = context.Arguments;
        var constrained = plan.Constrained;
        var constraintSlots = plan.ConstraintSlots;
        for (var e = 0; e < constrained.Length && risk != RiskLevel.Block; e++)
        {
            var entry = constrained[e];
            var constraints = entry.Constraints;
            var entrySlots = constraintSlots[e];
            for (var c = 0; c < constraints.Length; c++)
            {
                if (constraints[c].IsViolatedBy(arguments, cache, entrySlots[c]))
                {
                    Add(ref raised, ref risk, entry.ViolationReasons[c]);
                    if (risk == RiskLevel.Block)
                    {
                        break;
                    }
                }
            }
        }

        // 4. Rules, in id order; a rule that throws blocks.
        var rules = plan.Rules;
        var ruleSlots = plan.RuleSlots;
        for (var r = 0; r < rules.Length && risk != RiskLevel.Block; r++)
        {
            PolicyReason? fired;
            try
            {
                fired = rules[r].Evaluate(context, cache, ruleSlots[r]);
            }
#pragma warning disable CA1031 // Fail closed: any exception in rule code blocks the call.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                onRuleError?.Invoke(rules[r].Id, ex);
                fired = new PolicyReason(rules[r].Id, $"rule '{rules[r].Id}' failed while checking this call, so the call is blocked", RiskLevel.Block);
            }

            if (fired is not null)
            {
                Add(ref raised, ref risk, fired);
            }
        }
    }

    /// <summary>Records a contribution that sets or raises the running risk; contributions below it change nothing and are not listed.</summary>
    private static void Add(ref List<PolicyReason>? raised, ref RiskLevel risk, PolicyReason reason)
    {
        if (reason.Risk < risk)
        {
            return;
        }

        (raised ??= new List<PolicyReason>(2)).Add(reason);
        risk = reason.Risk;
    }
}
