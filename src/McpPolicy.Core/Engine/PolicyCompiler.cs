using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace McpPolicy.Engine;

/// <summary>Validates options and custom rules and compiles them into a <see cref="CompiledPolicy"/>, or throws with every problem found.</summary>
internal static class PolicyCompiler
{
    public static CompiledPolicy Compile(McpPolicyOptions options, IEnumerable<IPolicyRule> customRules, IEnumerable<IArgumentConstraintKind>? constraintKinds = null, ISchemaOverlayCompiler? schemaOverlays = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(customRules);
        var errors = new List<PolicyError>();
        var kinds = new Dictionary<string, IArgumentConstraintKind>(StringComparer.Ordinal);
        foreach (var kind in constraintKinds ?? [])
        {
            if (!kinds.TryAdd(kind.Name, kind))
            {
                errors.Add(new PolicyError("constraint kind " + kind.Name, null, $"two argument constraint kinds are registered as '{kind.Name}' ({kinds[kind.Name].GetType().FullName} and {kind.GetType().FullName})"));
            }
        }

        if (options.Version != 1)
        {
            errors.Add(new PolicyError("$.version", null, $"policy version {options.Version} is not supported; this McpPolicy reads version 1"));
        }

        CheckRisk(errors, "$.defaults.risk", options.Defaults.Risk);
        CheckRisk(errors, "$.defaults.unknownTool", options.Defaults.UnknownTool);
        CheckRisk(errors, "$.defaults.changedTool", options.Defaults.ChangedTool);
        if (options.Approval.Timeout <= TimeSpan.Zero)
        {
            errors.Add(new PolicyError("$.approval.timeout", null, "the approval timeout must be positive"));
        }

        var trusted = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var (id, server) in options.Servers)
        {
            if (string.IsNullOrEmpty(id) || id.Contains('/', StringComparison.Ordinal))
            {
                errors.Add(new PolicyError("$.servers." + id, null, "a server id must be non-empty and must not contain '/'"));
                continue;
            }

            if (server is null)
            {
                errors.Add(new PolicyError("$.servers." + id, null, "the server entry is null"));
                continue;
            }

            trusted[id] = server.Trusted;
        }

        var tools = new List<CompiledToolEntry>();
        for (var i = 0; i < options.Tools.Count; i++)
        {
            var path = string.Create(CultureInfo.InvariantCulture, $"$.tools[{i}]");
            var t = options.Tools[i];
            if (t is null)
            {
                errors.Add(new PolicyError(path, null, "the tools entry is null"));
                continue;
            }

            CheckRisk(errors, path + ".risk", t.Risk, t.Source);
            CheckRisk(errors, path + ".onViolation", t.OnViolation, t.Source);
            var glob = ParseGlob(errors, path + ".match", t.Match, t.Source);
            var conditions = CompileConditions(errors, path + ".arguments", t.Arguments, t.Source, kinds);
            var schemaOk = CheckSchemaOverlay(errors, path + ".schema", t.Schema, t.Source, schemaOverlays);
            if (glob is not null && conditions is not null && schemaOk)
            {
                tools.Add(new CompiledToolEntry(i, glob, t.Risk, t.Reason, t.OnViolation, conditions, t.Schema?.Clone()));
            }
        }

        var rules = new List<CompiledRule>();
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Rules.Count; i++)
        {
            var path = string.Create(CultureInfo.InvariantCulture, $"$.rules[{i}]");
            var r = options.Rules[i];
            if (r is null)
            {
                errors.Add(new PolicyError(path, null, "the rule is null"));
                continue;
            }

            if (string.IsNullOrWhiteSpace(r.Id))
            {
                errors.Add(new PolicyError(path + ".id", r.Source, "a rule needs a non-empty id"));
                continue;
            }

            if (!ids.TryAdd(r.Id, path))
            {
                errors.Add(new PolicyError(path + ".id", r.Source, $"the rule id '{r.Id}' is already used by {ids[r.Id]}; rule ids must be unique"));
            }

            CheckRisk(errors, path + ".risk", r.Risk, r.Source);
            var glob = ParseGlob(errors, path + ".match", r.Match, r.Source);
            var conditions = CompileConditions(errors, path + ".when", r.When, r.Source, kinds);
            if (glob is not null && conditions is not null)
            {
                rules.Add(new DeclarativeRule(r.Id, glob, conditions, r.Risk, r.Reason));
            }
        }

        var custom = new List<CustomRule>();
        foreach (var rule in customRules)
        {
            string? id;
            try
            {
                id = rule.Id;
            }
#pragma warning disable CA1031 // A rule's Id getter is user code: any failure is a validation error.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                errors.Add(new PolicyError("rule " + rule.GetType().FullName, null, "reading the rule's Id threw " + ex.GetType().Name));
                continue;
            }

            var where = "rule " + rule.GetType().FullName;
            if (string.IsNullOrWhiteSpace(id))
            {
                errors.Add(new PolicyError(where, null, "a custom rule needs a non-empty Id"));
                continue;
            }

            if (!ids.TryAdd(id, where))
            {
                errors.Add(new PolicyError(where, null, $"the rule id '{id}' is already used by {ids[id]}; rule ids must be unique"));
                continue;
            }

            var compiled = new CustomRule(rule);
            custom.Add(compiled);
            rules.Add(compiled);
        }

        if (errors.Count > 0)
        {
            throw new PolicyValidationException(errors);
        }

        // Evaluation order is fixed by rule id, so the order rules were registered in never changes a decision.
        rules.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        var version = ComputeVersion(options, custom);
        return new CompiledPolicy(version, options, trusted, tools.ToArray(), rules.ToArray());
    }

    private static void CheckRisk(List<PolicyError> errors, string path, RiskLevel risk, string? source = null)
    {
        if (!Enum.IsDefined(risk))
        {
            errors.Add(new PolicyError(path, source, $"{(int)risk} is not a risk level; expected Low, Medium, High or Block"));
        }
    }

    private static bool CheckSchemaOverlay(List<PolicyError> errors, string path, System.Text.Json.JsonElement? schema, string? source, ISchemaOverlayCompiler? compiler)
    {
        if (schema is not { } s)
        {
            return true;
        }

        if (s.ValueKind != System.Text.Json.JsonValueKind.Object)
        {
            errors.Add(new PolicyError(path, source, $"a schema overlay must be a JSON Schema object, found {s.ValueKind}"));
            return false;
        }

        if (compiler is null)
        {
            errors.Add(new PolicyError(path, source, "a schema overlay needs McpPolicy.Schemas: add the package and call AddSchemaValidation() on the McpPolicy builder"));
            return false;
        }

        try
        {
            compiler.Compile(s);
            return true;
        }
        catch (ArgumentException ex)
        {
            errors.Add(new PolicyError(path, source, "the schema overlay is not a usable JSON Schema: " + ex.Message));
            return false;
        }
    }

    private static Glob? ParseGlob(List<PolicyError> errors, string path, string? match, string? source)
    {
        if (string.IsNullOrEmpty(match))
        {
            errors.Add(new PolicyError(path, source, "'match' is empty; write a server/tool pattern such as \"fs/read_*\""));
            return null;
        }

        if (!Glob.TryParse(match, out var glob, out var error))
        {
            errors.Add(new PolicyError(path, source, error!));
        }

        return glob;
    }

    private static CompiledCondition[]? CompileConditions(List<PolicyError> errors, string path, IDictionary<string, ArgumentCondition> conditions, string? source, IReadOnlyDictionary<string, IArgumentConstraintKind> kinds)
    {
        var result = new List<CompiledCondition>();
        var ok = true;
        foreach (var (key, condition) in conditions.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            if (condition is null)
            {
                errors.Add(new PolicyError(path + "." + key, source, "the condition is null"));
                ok = false;
                continue;
            }

            var compiled = CompiledCondition.Compile(key, condition, path + "." + key, errors, source, kinds);
            if (compiled is null)
            {
                ok = false;
            }
            else
            {
                result.Add(compiled);
            }
        }

        return ok ? result.ToArray() : null;
    }

    /// <summary>A SHA-256 over a canonical description of everything that affects decisions.</summary>
    private static string ComputeVersion(McpPolicyOptions o, List<CustomRule> custom)
    {
        var sb = new StringBuilder();
        sb.Append("mcppolicy/v").Append(o.Version).Append('\n');
        sb.Append("defaults ").Append(o.Defaults.Risk).Append(' ').Append(o.Defaults.UnknownTool).Append(' ').Append(o.Defaults.ChangedTool).Append('\n');
        foreach (var (id, s) in o.Servers.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            sb.Append("server ").Append(Quote(id)).Append(' ').Append(s.Trusted).Append('\n');
        }

        foreach (var t in o.Tools)
        {
            sb.Append("tool ").Append(Quote(t.Match)).Append(' ').Append(t.Risk).Append(' ').Append(t.OnViolation).Append(' ').Append(Quote(t.Reason)).Append('\n');
            AppendConditions(sb, t.Arguments);
            if (t.Schema is { } schema)
            {
                sb.Append("  schema ").Append(CanonicalTyped(schema)).Append('\n');
            }
        }

        foreach (var r in o.Rules.OrderBy(r => r.Id, StringComparer.Ordinal))
        {
            sb.Append("rule ").Append(Quote(r.Id)).Append(' ').Append(Quote(r.Match)).Append(' ').Append(r.Risk).Append(' ').Append(Quote(r.Reason)).Append('\n');
            AppendConditions(sb, r.When);
        }

        foreach (var c in custom.OrderBy(c => c.Id, StringComparer.Ordinal))
        {
            sb.Append("custom ").Append(Quote(c.Id)).Append(' ').Append(Quote(c.RuleType.FullName)).Append(' ').Append(Quote(c.RuleType.Assembly.GetName().Version?.ToString())).Append('\n');
        }

        sb.Append("approval ").Append(o.Approval.Timeout.Ticks).Append(' ').Append(o.Approval.SingleUse).Append('\n');
        AppendControl(sb, o);
        AppendFlows(sb, o);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())));
    }

    /// <summary>Limits and configured kill switch entries, so a reload that changes only them gets a new version. Nothing when absent, so versions of policies without them stay as they were.</summary>
    private static void AppendControl(StringBuilder sb, McpPolicyOptions o)
    {
        foreach (var (match, l) in o.Limits.PerTool.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            sb.Append("limit ").Append(Quote(match)).Append(' ').Append(l?.PerMinute).Append(' ').Append(l?.Concurrency).Append(' ').Append(l?.Timeout?.Ticks).Append('\n');
        }

        var c = o.Limits.PerConversation;
        if (c.MaxCalls is not null || c.MaxApprovals is not null || c.MaxSinkBytes is not null)
        {
            sb.Append("budget ").Append(c.MaxCalls).Append(' ').Append(c.MaxApprovals).Append(' ').Append(c.MaxSinkBytes).Append('\n');
        }

        foreach (var k in o.KillSwitch)
        {
            sb.Append("killswitch ").Append(Quote(k?.Scope.Text)).Append(' ').Append(Quote(k?.Reason)).Append('\n');
        }
    }

    /// <summary>
    /// Labels, chains and flow settings, so a reload that changes only them gets a new version (approvals are bound to the version). Nothing
    /// when they are absent or at their defaults, so versions of policies without them stay as they were.
    /// </summary>
    private static void AppendFlows(StringBuilder sb, McpPolicyOptions o)
    {
        foreach (var (match, labels) in o.Labels.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            sb.Append("label ").Append(Quote(match)).Append(' ').Append((int)labels).Append('\n');
        }

        foreach (var chain in o.Chains)
        {
            sb.Append("chain ").Append(Quote(chain?.Id)).Append(' ').Append(chain?.Risk).Append(' ').Append(chain?.WithinCalls)
                .Append(' ').Append(chain?.WithinTime?.Ticks).Append(' ').Append(Quote(chain?.Reason)).Append('\n');
            foreach (var step in chain?.Sequence ?? [])
            {
                sb.Append("  step ").Append(Quote(step?.Match)).Append('\n');
                if (step is not null)
                {
                    AppendConditions(sb, step.When);
                }
            }
        }

        var f = o.Flows;
        var defaults = new FlowPolicy();
        if (f.UntrustedThenPrivateThenSink != defaults.UntrustedThenPrivateThenSink || f.Taint.MinLength != defaults.Taint.MinLength
            || f.Taint.Risk != defaults.Taint.Risk || f.Taint.Arguments.Count > 0)
        {
            sb.Append("flows ").Append(f.UntrustedThenPrivateThenSink).Append(' ').Append(f.Taint.MinLength).Append(' ').Append(f.Taint.Risk).Append('\n');
            foreach (var (match, arguments) in f.Taint.Arguments.OrderBy(a => a.Key, StringComparer.Ordinal))
            {
                foreach (var (argument, risk) in (arguments ?? new Dictionary<string, RiskLevel>()).OrderBy(a => a.Key, StringComparer.Ordinal))
                {
                    sb.Append("taint ").Append(Quote(match)).Append(' ').Append(Quote(argument)).Append(' ').Append(risk).Append('\n');
                }
            }
        }
    }

    private static void AppendConditions(StringBuilder sb, IDictionary<string, ArgumentCondition> conditions)
    {
        foreach (var (key, c) in conditions.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            sb.Append("  arg ").Append(Quote(key))
                .Append(" eq=").Append(c.EqualTo?.GetRawText())
                .Append(" in=").Append(c.In is null ? "" : string.Join(",", c.In.Select(v => v.GetRawText())))
                .Append(" notIn=").Append(c.NotIn is null ? "" : string.Join(",", c.NotIn.Select(v => v.GetRawText())))
                .Append(" pattern=").Append(Quote(c.Pattern))
                .Append(" min=").Append(c.Min?.ToString(CultureInfo.InvariantCulture))
                .Append(" max=").Append(c.Max?.ToString(CultureInfo.InvariantCulture))
                .Append(" minLength=").Append(c.MinLength?.ToString(CultureInfo.InvariantCulture))
                .Append(" maxLength=").Append(c.MaxLength?.ToString(CultureInfo.InvariantCulture))
                .Append(" required=").Append(c.Required)
                .Append(" lenient=").Append(c.FromConfiguration)
                .Append(" typed=").Append(string.Join(";", c.Typed.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => t.Key + ":" + CanonicalTyped(t.Value))))
                .Append('\n');
        }
    }

    /// <summary>Typed settings by their RFC 8785 form, so whitespace and member order do not change the version.</summary>
    private static string CanonicalTyped(System.Text.Json.JsonElement settings)
    {
        try
        {
            return System.Text.Encoding.UTF8.GetString(CanonicalJson.Serialize(settings));
        }
        catch (ArgumentException)
        {
            return settings.GetRawText();
        }
    }

    private static string Quote(string? s) => s is null ? "null" : System.Text.Json.JsonSerializer.Serialize(s);
}
