using System.Text.Json;

namespace McpPolicy.Benchmarks;

/// <summary>
/// Writes <see cref="McpPolicyOptions"/> in the policy file format. Only the part the scenarios use (and the Cedar
/// translation understands) is supported: defaults, servers, tools and rules with equals/in/notIn/min/max/minLength/maxLength.
/// </summary>
public static class PolicyJsonWriter
{
    public static void Write(Utf8JsonWriter w, McpPolicyOptions o)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(o);
        w.WriteStartObject();
        w.WriteNumber("version", o.Version);
        w.WriteStartObject("defaults");
        w.WriteString("risk", o.Defaults.Risk.ToString());
        w.WriteString("unknownTool", o.Defaults.UnknownTool.ToString());
        w.WriteString("changedTool", o.Defaults.ChangedTool.ToString());
        w.WriteEndObject();

        w.WriteStartObject("servers");
        foreach (var (id, server) in o.Servers.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            w.WriteStartObject(id);
            w.WriteBoolean("trusted", server.Trusted);
            w.WriteEndObject();
        }

        w.WriteEndObject();

        w.WriteStartArray("tools");
        foreach (var t in o.Tools)
        {
            w.WriteStartObject();
            w.WriteString("match", t.Match);
            w.WriteString("risk", t.Risk.ToString());
            if (t.Reason is not null)
            {
                w.WriteString("reason", t.Reason);
            }

            if (t.OnViolation != RiskLevel.Block)
            {
                w.WriteString("onViolation", t.OnViolation.ToString());
            }

            if (t.Arguments.Count > 0)
            {
                WriteConditions(w, "arguments", t.Arguments);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();

        w.WriteStartArray("rules");
        foreach (var r in o.Rules)
        {
            w.WriteStartObject();
            w.WriteString("id", r.Id);
            w.WriteString("match", r.Match);
            if (r.When.Count > 0)
            {
                WriteConditions(w, "when", r.When);
            }

            w.WriteString("risk", r.Risk.ToString());
            if (r.Reason is not null)
            {
                w.WriteString("reason", r.Reason);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    public static string ToJson(McpPolicyOptions o)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            Write(w, o);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteConditions(Utf8JsonWriter w, string name, IDictionary<string, ArgumentCondition> conditions)
    {
        w.WriteStartObject(name);
        foreach (var (key, c) in conditions)
        {
            if (c.Pattern is not null || c.Required)
            {
                throw new NotSupportedException($"condition '{key}': only equals, in, notIn, min, max, minLength and maxLength are written");
            }

            w.WriteStartObject(key);
            if (c.EqualTo is { } eq)
            {
                w.WritePropertyName("equals");
                eq.WriteTo(w);
            }

            WriteList(w, "in", c.In);
            WriteList(w, "notIn", c.NotIn);
            if (c.Min is { } min)
            {
                w.WriteNumber("min", min);
            }

            if (c.Max is { } max)
            {
                w.WriteNumber("max", max);
            }

            if (c.MinLength is { } minL)
            {
                w.WriteNumber("minLength", minL);
            }

            if (c.MaxLength is { } maxL)
            {
                w.WriteNumber("maxLength", maxL);
            }

            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    private static void WriteList(Utf8JsonWriter w, string name, IList<JsonElement>? values)
    {
        if (values is null)
        {
            return;
        }

        w.WriteStartArray(name);
        foreach (var v in values)
        {
            v.WriteTo(w);
        }

        w.WriteEndArray();
    }
}
