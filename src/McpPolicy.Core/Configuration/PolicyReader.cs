using System.Globalization;
using System.Text.Json;

namespace McpPolicy.Configuration;

/// <summary>Reads a policy tree into <see cref="McpPolicyOptions"/>, strictly: unknown keys, wrong types and not-yet-supported features are errors.</summary>
internal sealed class PolicyReader
{
    private static readonly string[] RootKeys = ["$schema", "version", "defaults", "servers", "tools", "rules", "approval", "labels", "chains", "flows", "limits"];
    private static readonly string[] DefaultsKeys = ["risk", "unknownTool", "changedTool"];
    private static readonly string[] ServerKeys = ["trusted"];
    private static readonly string[] ToolKeys = ["match", "risk", "reason", "arguments", "onViolation", "schema"];
    private static readonly string[] RuleKeys = ["id", "match", "when", "risk", "reason"];
    private static readonly string[] ApprovalKeys = ["timeout", "singleUse"];
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
                case "chains":
                case "flows":
                    Error(path, value, $"'{key}' is not supported yet in this version of McpPolicy (it arrives with McpPolicy.Chains); remove it rather than rely on it");
                    break;
                case "limits":
                    Error(path, value, "'limits' is not supported yet in this version of McpPolicy (rate limits and budgets arrive later); remove it rather than rely on it");
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
