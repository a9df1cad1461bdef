using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace McpPolicy;

/// <summary>
/// The digest an approval is bound to: SHA-256 over the server id, tool name, canonical arguments (key-sorted, type-tagged,
/// numbers by exact decimal value), tool definition hash and policy version. A different argument, a changed tool or a new policy gives a different digest, so needs a new approval.
/// </summary>
public static class ApprovalDigest
{
    private const int MaxDepth = 256;

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
            writer.WriteStringValue("mcppolicy-approval/v2");
            writer.WriteStringValue(context.ServerId);
            writer.WriteStringValue(context.ToolName);
            writer.WriteStringValue(context.Tool?.DefinitionHash ?? "unknown");
            writer.WriteStringValue(policyVersion);
            WriteExact(writer, context.Arguments.ToJsonElement(), 0);
            writer.WriteEndArray();
        }

        return Convert.ToHexStringLower(SHA256.HashData(buffer.ToArray()));
    }

    /// <summary>
    /// A type-tagged, key-sorted form of a JSON value in which numbers keep their exact decimal value. RFC 8785 would read
    /// numbers as doubles, so 9007199254740993 and 9007199254740992 would share a digest and one approval would cover both.
    /// Equal values (10, 10.0, 1e1) still give equal digests; a number too large for decimal keeps its literal text.
    /// </summary>
    private static void WriteExact(Utf8JsonWriter writer, JsonElement value, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new ArgumentException("The arguments are nested too deeply to bind an approval to them.", nameof(value));
        }

        writer.WriteStartArray();
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStringValue("o");
                var members = value.EnumerateObject().Select(p => (p.Name, p.Value)).ToList();
                members.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
                for (var i = 0; i < members.Count; i++)
                {
                    if (i > 0 && string.Equals(members[i].Name, members[i - 1].Name, StringComparison.Ordinal))
                    {
                        throw new ArgumentException($"The arguments hold the member '{members[i].Name}' twice.", nameof(value));
                    }

                    writer.WriteStringValue(members[i].Name);
                    WriteExact(writer, members[i].Value, depth + 1);
                }

                break;
            case JsonValueKind.Array:
                writer.WriteStringValue("a");
                foreach (var item in value.EnumerateArray())
                {
                    WriteExact(writer, item, depth + 1);
                }

                break;
            case JsonValueKind.String:
                writer.WriteStringValue("s");
                writer.WriteStringValue(value.GetString());
                break;
            case JsonValueKind.Number:
                writer.WriteStringValue("n");
                writer.WriteStringValue(value.TryGetDecimal(out var d)
                    ? (d / 1.0000000000000000000000000000m).ToString(CultureInfo.InvariantCulture)
                    : value.GetRawText().ToUpperInvariant());
                break;
            case JsonValueKind.True:
                writer.WriteStringValue("t");
                break;
            case JsonValueKind.False:
                writer.WriteStringValue("f");
                break;
            default:
                writer.WriteStringValue("z");
                break;
        }

        writer.WriteEndArray();
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
