using System.Globalization;
using System.Text.Json;

namespace McpPolicy.Configuration;

/// <summary>Reads a policy tree into <see cref="McpPolicyOptions"/>, strictly: unknown keys, wrong types and not-yet-supported features are errors.</summary>
internal sealed class PolicyReader
{
    private static readonly string[] RootKeys = ["$schema", "version", "defaults", "servers", "tools", "rules", "approval", "labels", "chains", "flows", "limits", "killSwitch"];
    private static readonly string[] LimitsKeys = ["perTool", "perConversation"];
    private static readonly string[] ToolLimitKeys = ["perMinute", "concurrency", "timeout"];
    private static readonly string[] ConversationLimitKeys = ["maxCalls", "maxApprovals", "maxSinkBytes"];
    private static readonly string[] KillSwitchKeys = ["scope", "reason"];
    private static readonly string[] DefaultsKeys = ["risk", "unknownTool", "changedTool"];
    private static readonly string[] ServerKeys = ["trusted"];
    private static readonly string[] ToolKeys = ["match", "risk", "reason", "arguments", "onViolation", "schema", "scopes"];
    private static readonly string[] RuleKeys = ["id", "match", "when", "risk", "reason"];
    private static readonly string[] ApprovalKeys = ["timeout", "singleUse"];
    private static readonly string[] ChainKeys = ["id", "sequence", "within", "risk", "reason"];
    private static readonly string[] ChainStepKeys = ["match", "when"];
    private static readonly string[] WithinKeys = ["calls", "time"];
    private static readonly string[] FlowsKeys = ["untrustedThenPrivateThenSink", "taint"];
    private static readonly string[] TaintKeys = ["minLength", "risk", "arguments"];
    private static readonly string[] LabelNames = ["untrustedSource", "privateData", "externalSink", "destructive"];
    private static readonly string[] ConditionKeys = ["equals", "in", "notIn", "pattern", "min", "max", "minLength", "maxLength", "required", "path", "url", "commandLine"];

    private readonly List<PolicyError> _errors = [];

    public static void Apply(PolicyNode root, McpPolicyOptions target)
    {
        var reader = new PolicyReader();
        var staged = new McpPolicyOptions();
        reader.ReadRoot(root, staged);
        if (reader._errors.Count > 0)
        {
            throw new PolicyValidationException(reader._errors);
        }

        // Only a fully valid document is merged: never a partial policy.
        Merge(root, staged, target);
    }

    private static void Merge(PolicyNode root, McpPolicyOptions staged, McpPolicyOptions target)
    {
        if (Find(root, "version") is not null)
        {
            target.Version = staged.Version;
        }

        if (Find(root, "defaults") is { } d)
        {
            if (Find(d, "risk") is not null)
            {
                target.Defaults.Risk = staged.Defaults.Risk;
            }

            if (Find(d, "unknownTool") is not null)
            {
                target.Defaults.UnknownTool = staged.Defaults.UnknownTool;
            }

            if (Find(d, "changedTool") is not null)
            {
                target.Defaults.ChangedTool = staged.Defaults.ChangedTool;
            }
        }

        foreach (var server in staged.Servers)
        {
            target.Servers[server.Key] = server.Value;
        }

        foreach (var tool in staged.Tools)
        {
            target.Tools.Add(tool);
        }

        foreach (var rule in staged.Rules)
        {
            target.Rules.Add(rule);
        }

        foreach (var label in staged.Labels)
        {
            target.Labels[label.Key] = label.Value;
        }

        foreach (var chain in staged.Chains)
        {
            target.Chains.Add(chain);
        }

        MergeFlows(root, staged, target);
        MergeLimits(root, staged, target);

        if (Find(root, "approval") is { } a)
        {
            if (Find(a, "timeout") is not null)
            {
                target.Approval.Timeout = staged.Approval.Timeout;
            }

            if (Find(a, "singleUse") is not null)
            {
                target.Approval.SingleUse = staged.Approval.SingleUse;
            }
        }
    }

    private static void MergeFlows(PolicyNode root, McpPolicyOptions staged, McpPolicyOptions target)
    {
        if (Find(root, "flows") is not { } f)
        {
            return;
        }

        if (Find(f, "untrustedThenPrivateThenSink") is not null)
        {
            target.Flows.UntrustedThenPrivateThenSink = staged.Flows.UntrustedThenPrivateThenSink;
        }

        if (Find(f, "taint") is { } t)
        {
            if (Find(t, "minLength") is not null)
            {
                target.Flows.Taint.MinLength = staged.Flows.Taint.MinLength;
            }

            if (Find(t, "risk") is not null)
            {
                target.Flows.Taint.Risk = staged.Flows.Taint.Risk;
            }

            foreach (var (pattern, arguments) in staged.Flows.Taint.Arguments)
            {
                if (!target.Flows.Taint.Arguments.TryGetValue(pattern, out var existing))
                {
                    existing = new Dictionary<string, RiskLevel>(StringComparer.Ordinal);
                    target.Flows.Taint.Arguments[pattern] = existing;
                }

                foreach (var argument in arguments)
                {
                    existing[argument.Key] = argument.Value;
                }
            }
        }
    }

    private static PolicyNode? Find(PolicyNode node, string key)
    {
        if (node.Properties is null)
        {
            return null;
        }

        foreach (var p in node.Properties)
        {
            if (string.Equals(p.Key, key, StringComparison.OrdinalIgnoreCase))
            {
                return p.Value;
            }
        }

        return null;
    }

    private void Error(string path, PolicyNode node, string message) => _errors.Add(new PolicyError(path, node.Location, message));

    private bool ExpectObject(string path, PolicyNode node, string[] allowedKeys)
    {
        if (node.Kind != PolicyNodeKind.Object)
        {
            Error(path, node, $"expected an object, found {Describe(node)}");
            return false;
        }

        foreach (var p in node.Properties!)
        {
            if (!allowedKeys.Contains(p.Key, StringComparer.OrdinalIgnoreCase))
            {
                Error(path + "." + p.Key, p.Value, $"unknown key '{p.Key}'; expected one of: {string.Join(", ", allowedKeys)}");
            }
        }

        return true;
    }

    private static string Describe(PolicyNode node) => node.Kind switch
    {
        PolicyNodeKind.Object => "an object",
        PolicyNodeKind.Array => "an array",
        PolicyNodeKind.String => $"the string \"{node.Scalar}\"",
        PolicyNodeKind.Number => $"the number {node.Scalar}",
        PolicyNodeKind.Boolean => node.Scalar!,
        _ => "null",
    };

    private void ReadRoot(PolicyNode root, McpPolicyOptions o)
    {
        if (!ExpectObject("$", root, RootKeys))
        {
            return;
        }

        foreach (var (key, value) in root.Properties!)
        {
            var path = "$." + key;
            switch (Canonical(key, RootKeys))
            {
                case "version":
                    if (ReadInt(path, value) is { } v)
                    {
                        if (v != 1)
                        {
                            Error(path, value, $"policy version {v} is not supported; this McpPolicy reads version 1");
                        }

                        o.Version = v;
                    }

                    break;
                case "defaults":
                    if (ExpectObject(path, value, DefaultsKeys))
                    {
                        foreach (var (k, n) in value.Properties!)
                        {
                            var risk = ReadRisk(path + "." + k, n);
                            switch (Canonical(k, DefaultsKeys))
                            {
                                case "risk": o.Defaults.Risk = risk ?? o.Defaults.Risk; break;
                                case "unknownTool": o.Defaults.UnknownTool = risk ?? o.Defaults.UnknownTool; break;
                                case "changedTool": o.Defaults.ChangedTool = risk ?? o.Defaults.ChangedTool; break;
                            }
                        }
                    }

                    break;
                case "servers":
                    ReadServers(path, value, o);
                    break;
                case "tools":
                    ReadArray(path, value, (p, n) => ReadTool(p, n, o));
                    break;
                case "rules":
                    ReadArray(path, value, (p, n) => ReadRule(p, n, o));
                    break;
                case "approval":
                    ReadApproval(path, value, o);
                    break;
                case "labels":
                    ReadLabels(path, value, o);
                    break;
                case "chains":
                    ReadArray(path, value, (p, n) => ReadChain(p, n, o));
                    break;
                case "flows":
                    ReadFlows(path, value, o);
                    break;
                case "limits":
                    ReadLimits(path, value, o.Limits);
                    break;
                case "killSwitch":
                    ReadArray(path, value, (p, n) => ReadKillSwitchEntry(p, n, o));
                    break;
                case "$schema":
                    break;
            }
        }
    }

    private static string? Canonical(string key, string[] keys)
    {
        foreach (var k in keys)
        {
            if (string.Equals(k, key, StringComparison.OrdinalIgnoreCase))
            {
                return k;
            }
        }

        return null;
    }

    private void ReadArray(string path, PolicyNode node, Action<string, PolicyNode> readItem)
    {
        if (IsEmptyConfigurationArray(node))
        {
            return;
        }

        if (node.Kind != PolicyNodeKind.Array)
        {
            Error(path, node, $"expected an array, found {Describe(node)}");
            return;
        }

        for (var i = 0; i < node.Items!.Count; i++)
        {
            readItem(string.Create(CultureInfo.InvariantCulture, $"{path}[{i}]"), node.Items[i]);
        }
    }

    private void ReadServers(string path, PolicyNode node, McpPolicyOptions o)
    {
        if (node.Kind != PolicyNodeKind.Object)
        {
            Error(path, node, $"expected an object keyed by server id, found {Describe(node)}");
            return;
        }

        foreach (var (id, value) in node.Properties!)
        {
            var p = path + "." + id;
            if (id.Length == 0 || id.Contains('/', StringComparison.Ordinal))
            {
                Error(p, value, "a server id must be non-empty and must not contain '/'");
                continue;
            }

            if (!ExpectObject(p, value, ServerKeys))
            {
                continue;
            }

            var server = new ServerPolicy();
            foreach (var (k, n) in value.Properties!)
            {
                if (Canonical(k, ServerKeys) == "trusted")
                {
                    server.Trusted = ReadBool(p + "." + k, n) ?? false;
                }
            }

            o.Servers[id] = server;
        }
    }

    private void ReadTool(string path, PolicyNode node, McpPolicyOptions o)
    {
        if (!ExpectObject(path, node, ToolKeys))
        {
            return;
        }

        var tool = new ToolPolicy { Source = node.Location };
        var hasMatch = false;
        var hasRisk = false;
        foreach (var (k, n) in node.Properties!)
        {
            var p = path + "." + k;
            switch (Canonical(k, ToolKeys))
            {
                case "match": tool.Match = ReadString(p, n) ?? ""; hasMatch = true; break;
                case "risk": tool.Risk = ReadRisk(p, n) ?? tool.Risk; hasRisk = true; break;
                case "reason": tool.Reason = ReadString(p, n); break;
                case "onViolation": tool.OnViolation = ReadRisk(p, n) ?? tool.OnViolation; break;
                case "arguments": ReadConditions(p, n, tool.Arguments); break;
                case "schema": tool.Schema = ReadSchema(p, n); break;
                case "scopes": ReadScopes(p, n, tool.Scopes); break;
            }
        }

        if (!hasMatch)
        {
            Error(path, node, "a tools entry needs 'match' (a glob on server/tool, such as \"fs/read_*\")");
        }

        if (!hasRisk)
        {
            Error(path, node, "a tools entry needs 'risk' (Low, Medium, High or Block)");
        }

        o.Tools.Add(tool);
    }

    private void ReadRule(string path, PolicyNode node, McpPolicyOptions o)
    {
        if (!ExpectObject(path, node, RuleKeys))
        {
            return;
        }

        var rule = new RulePolicy { Source = node.Location };
        var hasId = false;
        var hasRisk = false;
        foreach (var (k, n) in node.Properties!)
        {
            var p = path + "." + k;
            switch (Canonical(k, RuleKeys))
            {
                case "id": rule.Id = ReadString(p, n) ?? ""; hasId = true; break;
                case "match": rule.Match = ReadString(p, n) ?? rule.Match; break;
                case "risk": rule.Risk = ReadRisk(p, n) ?? rule.Risk; hasRisk = true; break;
                case "reason": rule.Reason = ReadString(p, n); break;
                case "when": ReadConditions(p, n, rule.When); break;
            }
        }

        if (!hasId)
        {
            Error(path, node, "a rule needs an 'id'");
        }

        if (!hasRisk)
        {
            Error(path, node, "a rule needs 'risk' (Low, Medium, High or Block)");
        }

        o.Rules.Add(rule);
    }

    private void ReadApproval(string path, PolicyNode node, McpPolicyOptions o)
    {
        if (!ExpectObject(path, node, ApprovalKeys))
        {
            return;
        }

        foreach (var (k, n) in node.Properties!)
        {
            var p = path + "." + k;
            switch (Canonical(k, ApprovalKeys))
            {
                case "timeout":
                    var text = ReadString(p, n);
                    if (text is not null)
                    {
                        // hh:mm:ss only: TimeSpan.TryParse reads a bare "120" as 120 days.
                        if (text.Contains(':', StringComparison.Ordinal) && TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var t) && t > TimeSpan.Zero)
                        {
                            o.Approval.Timeout = t;
                        }
                        else
                        {
                            Error(p, n, $"'{text}' is not a positive time span; write it as hh:mm:ss, for example \"00:02:00\"");
                        }
                    }

                    break;
                case "singleUse":
                    o.Approval.SingleUse = ReadBool(p, n) ?? o.Approval.SingleUse;
                    break;
            }
        }
    }

    private void ReadLabels(string path, PolicyNode node, McpPolicyOptions o)
    {
        if (node.Kind != PolicyNodeKind.Object)
        {
            Error(path, node, $"expected an object keyed by server/tool pattern, such as {{ \"web/*\": [\"untrustedSource\"] }}, found {Describe(node)}");
            return;
        }

        foreach (var (pattern, value) in node.Properties!)
        {
            var p = path + "." + pattern;
            if (IsEmptyConfigurationArray(value))
            {
                o.Labels[pattern] = FlowLabels.None;
                continue;
            }

            if (value.Kind != PolicyNodeKind.Array)
            {
                Error(p, value, $"expected an array of labels ({string.Join(", ", LabelNames)}), found {Describe(value)}");
                continue;
            }

            var labels = FlowLabels.None;
            for (var i = 0; i < value.Items!.Count; i++)
            {
                var item = value.Items[i];
                var ip = p + "[" + i.ToString(CultureInfo.InvariantCulture) + "]";
                switch (item.Kind == PolicyNodeKind.String ? Canonical(item.Scalar!.Trim(), LabelNames) : null)
                {
                    case "untrustedSource": labels |= FlowLabels.UntrustedSource; break;
                    case "privateData": labels |= FlowLabels.PrivateData; break;
                    case "externalSink": labels |= FlowLabels.ExternalSink; break;
                    case "destructive": labels |= FlowLabels.Destructive; break;
                    default:
                        Error(ip, item, $"expected a flow label ({string.Join(", ", LabelNames)}), found {Describe(item)}");
                        break;
                }
            }

            o.Labels[pattern] = labels;
        }
    }

    private void ReadChain(string path, PolicyNode node, McpPolicyOptions o)
    {
        if (!ExpectObject(path, node, ChainKeys))
        {
            return;
        }

        var chain = new ChainPolicy { Source = node.Location };
        var hasId = false;
        var hasSequence = false;
        var hasRisk = false;
        foreach (var (k, n) in node.Properties!)
        {
            var p = path + "." + k;
            switch (Canonical(k, ChainKeys))
            {
                case "id": chain.Id = ReadString(p, n) ?? ""; hasId = true; break;
                case "risk": chain.Risk = ReadRisk(p, n) ?? chain.Risk; hasRisk = true; break;
                case "reason": chain.Reason = ReadString(p, n); break;
                case "sequence": ReadArray(p, n, (sp, sn) => ReadChainStep(sp, sn, chain)); hasSequence = true; break;
                case "within": ReadWithin(p, n, chain); break;
            }
        }

        if (!hasId)
        {
            Error(path, node, "a chain needs an 'id'");
        }

        if (!hasSequence)
        {
            Error(path, node, "a chain needs a 'sequence' of at least two server/tool patterns, such as [\"docs/search\", \"http/*\"]");
        }

        if (!hasRisk)
        {
            Error(path, node, "a chain needs 'risk' (Low, Medium, High or Block)");
        }

        o.Chains.Add(chain);
    }

    private void ReadChainStep(string path, PolicyNode node, ChainPolicy chain)
    {
        if (node.Kind == PolicyNodeKind.String)
        {
            chain.Sequence.Add(new ChainStepPolicy(node.Scalar!));
            return;
        }

        if (node.Kind != PolicyNodeKind.Object)
        {
            Error(path, node, $"expected a server/tool pattern or an object with 'match' and 'when', found {Describe(node)}");
            return;
        }

        if (!ExpectObject(path, node, ChainStepKeys))
        {
            return;
        }

        var step = new ChainStepPolicy();
        var hasMatch = false;
        foreach (var (k, n) in node.Properties!)
        {
            var p = path + "." + k;
            switch (Canonical(k, ChainStepKeys))
            {
                case "match": step.Match = ReadString(p, n) ?? ""; hasMatch = true; break;
                case "when": ReadConditions(p, n, step.When); break;
            }
        }

        if (!hasMatch)
        {
            Error(path, node, "a chain step needs 'match' (a glob on server/tool, such as \"secrets/*\")");
        }

        chain.Sequence.Add(step);
    }

    private void ReadWithin(string path, PolicyNode node, ChainPolicy chain)
    {
        if (!ExpectObject(path, node, WithinKeys))
        {
            return;
        }

        foreach (var (k, n) in node.Properties!)
        {
            var p = path + "." + k;
            switch (Canonical(k, WithinKeys))
            {
                case "calls":
                    if (ReadInt(p, n) is { } calls)
                    {
                        if (calls < 1)
                        {
                            Error(p, n, $"'calls' must be at least 1, found {calls}");
                        }

                        chain.WithinCalls = calls;
                    }

                    break;
                case "time":
                    chain.WithinTime = ReadTimeSpan(p, n) ?? chain.WithinTime;
                    break;
            }
        }
    }

    private void ReadFlows(string path, PolicyNode node, McpPolicyOptions o)
    {
        if (!ExpectObject(path, node, FlowsKeys))
        {
            return;
        }

        foreach (var (k, n) in node.Properties!)
        {
            var p = path + "." + k;
            switch (Canonical(k, FlowsKeys))
            {
                case "untrustedThenPrivateThenSink":
                    o.Flows.UntrustedThenPrivateThenSink = ReadRisk(p, n) ?? o.Flows.UntrustedThenPrivateThenSink;
                    break;
                case "taint":
                    ReadTaint(p, n, o.Flows.Taint);
                    break;
            }
        }
    }

    private void ReadTaint(string path, PolicyNode node, TaintPolicy taint)
    {
        if (!ExpectObject(path, node, TaintKeys))
        {
            return;
        }

        foreach (var (k, n) in node.Properties!)
        {
            var p = path + "." + k;
            switch (Canonical(k, TaintKeys))
            {
                case "minLength":
                    if (ReadInt(p, n) is { } length)
                    {
                        if (length is < TaintPolicy.MinLengthLowest or > TaintPolicy.MinLengthHighest)
                        {
                            Error(p, n, $"'minLength' must be between {TaintPolicy.MinLengthLowest} and {TaintPolicy.MinLengthHighest}, found {length}");
                        }

                        taint.MinLength = length;
                    }

                    break;
                case "risk":
                    taint.Risk = ReadRisk(p, n) ?? taint.Risk;
                    break;
                case "arguments":
                    if (n.Kind != PolicyNodeKind.Object)
                    {
                        Error(p, n, $"expected an object keyed by server/tool pattern, such as {{ \"bank/send_money\": {{ \"recipient\": \"High\" }} }}, found {Describe(n)}");
                        break;
                    }

                    foreach (var (pattern, arguments) in n.Properties!)
                    {
                        var pp = p + "." + pattern;
                        if (arguments.Kind != PolicyNodeKind.Object)
                        {
                            Error(pp, arguments, $"expected an object keyed by argument name or JSON Pointer with a risk each, found {Describe(arguments)}");
                            continue;
                        }

                        var risks = new Dictionary<string, RiskLevel>(StringComparer.Ordinal);
                        foreach (var (argument, risk) in arguments.Properties!)
                        {
                            if (ReadRisk(pp + "." + argument, risk) is { } r)
                            {
                                risks[argument] = r;
                            }
                        }

                        taint.Arguments[pattern] = risks;
                    }

                    break;
            }
        }
    }

    private static void MergeLimits(PolicyNode root, McpPolicyOptions staged, McpPolicyOptions target)
    {
        foreach (var entry in staged.KillSwitch)
        {
            target.KillSwitch.Add(entry);
        }

        if (Find(root, "limits") is not { } l)
        {
            return;
        }

        foreach (var (pattern, limit) in staged.Limits.PerTool)
        {
            target.Limits.PerTool[pattern] = limit;
        }

        if (Find(l, "perConversation") is { } c)
        {
            var from = staged.Limits.PerConversation;
            var to = target.Limits.PerConversation;
            if (Find(c, "maxCalls") is not null)
            {
                to.MaxCalls = from.MaxCalls;
            }

            if (Find(c, "maxApprovals") is not null)
            {
                to.MaxApprovals = from.MaxApprovals;
            }

            if (Find(c, "maxSinkBytes") is not null)
            {
                to.MaxSinkBytes = from.MaxSinkBytes;
            }
        }
    }

    private void ReadLimits(string path, PolicyNode node, LimitsPolicy limits)
    {
        if (!ExpectObject(path, node, LimitsKeys))
        {
            return;
        }

        foreach (var (k, n) in node.Properties!)
        {
            var p = path + "." + k;
            switch (Canonical(k, LimitsKeys))
            {
                case "perTool":
                    if (n.Kind != PolicyNodeKind.Object)
                    {
                        Error(p, n, $"expected an object keyed by server/tool pattern, such as {{ \"fs/*\": {{ \"perMinute\": 60 }} }}, found {Describe(n)}");
                        break;
                    }

                    foreach (var (pattern, value) in n.Properties!)
                    {
                        ReadToolLimit(p + "." + pattern, pattern, value, limits);
                    }

                    break;
                case "perConversation":
                    ReadConversationLimits(p, n, limits.PerConversation);
                    break;
            }
        }
    }

    private void ReadToolLimit(string path, string pattern, PolicyNode node, LimitsPolicy limits)
    {
        if (!ToolPattern.TryParse(pattern, out _, out var patternError))
        {
            Error(path, node, patternError!);
        }

        if (!ExpectObject(path, node, ToolLimitKeys))
        {
            return;
        }

        var limit = new ToolLimitPolicy();
        foreach (var (k, n) in node.Properties!)
        {
            var p = path + "." + k;
            switch (Canonical(k, ToolLimitKeys))
            {
                case "perMinute":
                    limit.PerMinute = ReadCount(p, n, 1);
                    break;
                case "concurrency":
                    limit.Concurrency = ReadCount(p, n, 1);
                    break;
                case "timeout":
                    limit.Timeout = ReadTimeSpan(p, n);
                    break;
            }
        }

        if (node.Properties!.Count == 0)
        {
            Error(path, node, "the entry sets no limit; give it perMinute, concurrency or timeout");
        }

        limits.PerTool[pattern] = limit;
    }

    private void ReadConversationLimits(string path, PolicyNode node, ConversationLimitPolicy budgets)
    {
        if (!ExpectObject(path, node, ConversationLimitKeys))
        {
            return;
        }

        foreach (var (k, n) in node.Properties!)
        {
            var p = path + "." + k;
            switch (Canonical(k, ConversationLimitKeys))
            {
                case "maxCalls":
                    budgets.MaxCalls = ReadCount(p, n, 0);
                    break;
                case "maxApprovals":
                    budgets.MaxApprovals = ReadCount(p, n, 0);
                    break;
                case "maxSinkBytes":
                    if (ReadDecimal(p, n) is { } bytes)
                    {
                        if (bytes < 0 || bytes > long.MaxValue || decimal.Truncate(bytes) != bytes)
                        {
                            Error(p, n, $"'maxSinkBytes' must be a whole number of bytes, 0 or more, found {bytes.ToString(CultureInfo.InvariantCulture)}");
                        }
                        else
                        {
                            budgets.MaxSinkBytes = (long)bytes;
                        }
                    }

                    break;
            }
        }
    }

    private int? ReadCount(string path, PolicyNode node, int minimum)
    {
        if (ReadInt(path, node) is not { } value)
        {
            return null;
        }

        if (value < minimum)
        {
            Error(path, node, $"expected a whole number of at least {minimum}, found {value}");
            return null;
        }

        return value;
    }

    private void ReadKillSwitchEntry(string path, PolicyNode node, McpPolicyOptions o)
    {
        string? text = null;
        string? reason = null;
        PolicyNode at = node;
        if (node.Kind == PolicyNodeKind.String)
        {
            text = node.Scalar;
        }
        else if (node.Kind == PolicyNodeKind.Object)
        {
            if (!ExpectObject(path, node, KillSwitchKeys))
            {
                return;
            }

            foreach (var (k, n) in node.Properties!)
            {
                switch (Canonical(k, KillSwitchKeys))
                {
                    case "scope": text = ReadString(path + "." + k, n); at = n; break;
                    case "reason": reason = ReadString(path + "." + k, n); break;
                }
            }

            if (text is null)
            {
                Error(path, node, "a killSwitch entry needs a 'scope': \"all\", \"server:<id>\" or a server/tool glob such as \"fs/write_*\"");
                return;
            }
        }
        else
        {
            Error(path, node, $"expected a scope (\"all\", \"server:<id>\" or a server/tool glob) or an object with 'scope' and 'reason', found {Describe(node)}");
            return;
        }

        if (!KillSwitchScope.TryParse(text, out var scope, out var error))
        {
            Error(path, at, error!);
            return;
        }

        o.KillSwitch.Add(new KillSwitchEntry(scope!, reason) { FromConfiguration = true });
    }

    private TimeSpan? ReadTimeSpan(string path, PolicyNode node)
    {
        var text = ReadString(path, node);
        if (text is null)
        {
            return null;
        }

        // hh:mm:ss only: TimeSpan.TryParse reads a bare "120" as 120 days.
        if (text.Contains(':', StringComparison.Ordinal) && TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var t) && t > TimeSpan.Zero)
        {
            return t;
        }

        Error(path, node, $"'{text}' is not a positive time span; write it as hh:mm:ss, for example \"00:10:00\"");
        return null;
    }

    private void ReadConditions(string path, PolicyNode node, IDictionary<string, ArgumentCondition> target)
    {
        if (node.Kind != PolicyNodeKind.Object)
        {
            Error(path, node, $"expected an object keyed by argument name or JSON Pointer, found {Describe(node)}");
            return;
        }

        foreach (var (name, value) in node.Properties!)
        {
            var p = path + "." + name;
            if (!ExpectObject(p, value, ConditionKeys))
            {
                continue;
            }

            var c = new ArgumentCondition { FromConfiguration = node.FromConfiguration };
            foreach (var (k, n) in value.Properties!)
            {
                var kp = p + "." + k;
                switch (Canonical(k, ConditionKeys))
                {
                    case "equals": c.EqualTo = n.ToJsonElement(); break;
                    case "in": c.In = ReadValueList(kp, n); break;
                    case "notIn": c.NotIn = ReadValueList(kp, n); break;
                    case "pattern": c.Pattern = ReadString(kp, n); break;
                    case "min": c.Min = ReadDecimal(kp, n); break;
                    case "max": c.Max = ReadDecimal(kp, n); break;
                    case "minLength": c.MinLength = ReadInt(kp, n); break;
                    case "maxLength": c.MaxLength = ReadInt(kp, n); break;
                    case "required": c.Required = ReadBool(kp, n) ?? false; break;
                    case "path":
                    case "url":
                    case "commandLine":
                        c.Typed[Canonical(k, ConditionKeys)!] = n.ToJsonElement();
                        break;
                }
            }

            target[name] = c;
        }
    }

    private JsonElement? ReadSchema(string path, PolicyNode node)
    {
        if (node.FromConfiguration)
        {
            // IConfiguration turns every number and boolean into a string and arrays into objects, which changes a schema's meaning.
            Error(path, node, "a schema overlay cannot be read from IConfiguration, which loses JSON types; put the tools entry in a JSON policy file");
            return null;
        }

        if (node.Kind != PolicyNodeKind.Object)
        {
            Error(path, node, $"expected a JSON Schema object, found {Describe(node)}");
            return null;
        }

        return node.ToJsonElement();
    }

    private void ReadScopes(string path, PolicyNode node, IList<string> target)
    {
        if (IsEmptyConfigurationArray(node))
        {
            return;
        }

        if (node.Kind != PolicyNodeKind.Array)
        {
            Error(path, node, $"expected an array of scope strings (such as [\"files:write\"]), found {Describe(node)}");
            return;
        }

        for (var i = 0; i < node.Items!.Count; i++)
        {
            var item = node.Items[i];
            var p = path + "[" + i.ToString(CultureInfo.InvariantCulture) + "]";
            if (item.Kind != PolicyNodeKind.String || string.IsNullOrEmpty(item.Scalar))
            {
                Error(p, item, $"expected a non-empty scope string, found {Describe(item)}");
                continue;
            }

            // RFC 6749 section 3.3: a scope token is printable ASCII without space, double quote or backslash.
            if (item.Scalar.Any(c => c is < '!' or > '~' or '"' or '\\'))
            {
                Error(p, item, $"'{item.Scalar}' is not an OAuth scope token: use printable ASCII without spaces, quotes or backslashes (list several scopes as separate strings)");
                continue;
            }

            target.Add(item.Scalar);
        }
    }

    private List<JsonElement>? ReadValueList(string path, PolicyNode node)
    {
        if (IsEmptyConfigurationArray(node))
        {
            return [];
        }

        if (node.Kind != PolicyNodeKind.Array)
        {
            Error(path, node, $"expected an array of values, found {Describe(node)}");
            return null;
        }

        return node.Items!.Select(i => i.ToJsonElement()).ToList();
    }

    /// <summary>IConfiguration keeps no trace of an empty JSON array (appsettings.json <c>"tools": []</c>): it arrives as an empty string or an empty section.</summary>
    private static bool IsEmptyConfigurationArray(PolicyNode node)
        => node.FromConfiguration && ((node.Kind == PolicyNodeKind.String && string.IsNullOrEmpty(node.Scalar)) || (node.Kind == PolicyNodeKind.Object && node.Properties!.Count == 0));

    private string? ReadString(string path, PolicyNode node)
    {
        if (node.Kind == PolicyNodeKind.String)
        {
            return node.Scalar;
        }

        Error(path, node, $"expected a string, found {Describe(node)}");
        return null;
    }

    private bool? ReadBool(string path, PolicyNode node)
    {
        if (node.Kind == PolicyNodeKind.Boolean || (node.FromConfiguration && node.Kind == PolicyNodeKind.String))
        {
            if (bool.TryParse(node.Scalar, out var b))
            {
                return b;
            }
        }

        Error(path, node, $"expected true or false, found {Describe(node)}");
        return null;
    }

    private decimal? ReadDecimal(string path, PolicyNode node)
    {
        if ((node.Kind == PolicyNodeKind.Number || (node.FromConfiguration && node.Kind == PolicyNodeKind.String))
            && decimal.TryParse(node.Scalar, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
        {
            return d;
        }

        Error(path, node, $"expected a number, found {Describe(node)}");
        return null;
    }

    private int? ReadInt(string path, PolicyNode node)
    {
        if ((node.Kind == PolicyNodeKind.Number || (node.FromConfiguration && node.Kind == PolicyNodeKind.String))
            && int.TryParse(node.Scalar, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i))
        {
            return i;
        }

        Error(path, node, $"expected a whole number, found {Describe(node)}");
        return null;
    }

    private RiskLevel? ReadRisk(string path, PolicyNode node)
    {
        if (node.Kind == PolicyNodeKind.String && RiskLevelParser.TryParse(node.Scalar, out var risk))
        {
            return risk;
        }

        Error(path, node, $"expected a risk level (Low, Medium, High or Block), found {Describe(node)}");
        return null;
    }
}
