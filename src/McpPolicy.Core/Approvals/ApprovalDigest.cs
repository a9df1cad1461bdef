using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace McpPolicy;

/// <summary>
/// The digest an approval is bound to: SHA-256 over the server id, tool name, canonical (RFC 8785) arguments, tool definition
/// hash and policy version. A different argument, a changed tool or a new policy gives a different digest, so needs a new approval.
/// </summary>
public static class ApprovalDigest
{
    /// <summary>Computes the digest for a call under a policy version.</summary>
    /// <param name="context">The call.</param>
    /// <param name="policyVersion">The version of the policy that asked for approval.</param>
    /// <returns>64 lower-case hex characters.</returns>
    public static string Compute(ToolInvocationContext context, string policyVersion)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(policyVersion);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            writer.WriteStringValue("mcppolicy-approval/v1");
            writer.WriteStringValue(context.ServerId);
            writer.WriteStringValue(context.ToolName);
            writer.WriteStringValue(context.Tool?.DefinitionHash ?? "unknown");
            writer.WriteStringValue(policyVersion);
            context.Arguments.WriteTo(writer);
            writer.WriteEndArray();
        }

        using var doc = JsonDocument.Parse(buffer.ToArray());
        return Convert.ToHexStringLower(SHA256.HashData(CanonicalJson.Serialize(doc.RootElement)));
    }

    /// <summary>A readable, bounded preview of the arguments for an approver: canonical JSON with long strings shortened.</summary>
    /// <param name="arguments">The arguments.</param>
    /// <param name="maxStringLength">Strings longer than this are cut, with the number of characters left out.</param>
    /// <param name="maxTotalLength">The preview is cut at this many characters.</param>
    /// <returns>The preview.</returns>
    public static string Preview(ToolArguments arguments, int maxStringLength = 200, int maxTotalLength = 2000)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            using var doc = JsonDocument.Parse(CanonicalJson.Serialize(arguments.ToJsonElement()));
            WriteShortened(writer, doc.RootElement, maxStringLength);
        }

        var text = Encoding.UTF8.GetString(buffer.ToArray());
        return text.Length <= maxTotalLength ? text : string.Concat(text.AsSpan(0, maxTotalLength), $"… ({text.Length - maxTotalLength} more characters)");
    }

    private static void WriteShortened(Utf8JsonWriter writer, JsonElement value, int maxStringLength)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var p in value.EnumerateObject())
                {
                    writer.WritePropertyName(p.Name);
                    WriteShortened(writer, p.Value, maxStringLength);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in value.EnumerateArray())
                {
                    WriteShortened(writer, item, maxStringLength);
                }

                writer.WriteEndArray();
                break;
            case JsonValueKind.String:
                var s = value.GetString()!;
                writer.WriteStringValue(s.Length <= maxStringLength ? s : string.Concat(s.AsSpan(0, maxStringLength), $"… ({s.Length - maxStringLength} more characters)"));
                break;
            default:
                value.WriteTo(writer);
                break;
        }
    }
}
