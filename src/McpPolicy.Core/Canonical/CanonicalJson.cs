using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;

namespace McpPolicy;

/// <summary>
/// The RFC 8785 JSON Canonicalization Scheme (JCS): one byte-exact UTF-8 form per JSON value, so that equal values
/// hash equally no matter how they were written (property order, whitespace, escapes, number spelling).
/// </summary>
/// <remarks>
/// Input must be I-JSON (RFC 7493): duplicate property names, strings with unpaired surrogates and numbers outside
/// the IEEE 754 double range are rejected rather than given a form that two parties might read differently.
/// Numbers are canonicalized through IEEE 754 double, as the RFC requires, so integers beyond 2^53 lose precision.
/// </remarks>
public static class CanonicalJson
{
    /// <summary>Writes a JSON value in canonical form.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The canonical UTF-8 bytes.</returns>
    /// <exception cref="ArgumentException">The value is undefined or is not I-JSON.</exception>
    public static byte[] Serialize(JsonElement value)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        CanonicalJsonWriter.WriteValue(buffer, value);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The SHA-256 digest of a value's canonical form, as lower-case hex.</summary>
    /// <param name="value">The value.</param>
    /// <returns>64 lower-case hex characters.</returns>
    /// <exception cref="ArgumentException">The value is undefined or is not I-JSON.</exception>
    public static string Sha256(JsonElement value)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        CanonicalJsonWriter.WriteValue(buffer, value);
        return HashHex(buffer.WrittenSpan);
    }

    internal static string HashHex(ReadOnlySpan<byte> canonical)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(canonical, digest);
        return Convert.ToHexStringLower(digest);
    }
}
