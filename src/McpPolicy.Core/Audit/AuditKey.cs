namespace McpPolicy;

/// <summary>Reads and identifies audit chain keys.</summary>
public static class AuditKey
{
    /// <summary>Decodes a base64 key and checks its length.</summary>
    /// <param name="base64">The key text (surrounding whitespace ignored).</param>
    /// <param name="source">Where the text came from, for the error message.</param>
    /// <returns>The key bytes.</returns>
    /// <exception cref="InvalidOperationException">The text is not base64 or the key is shorter than <see cref="AuditOptions.MinimumKeyBytes"/> bytes.</exception>
    public static byte[] Parse(string base64, string source = "the audit key")
    {
        ArgumentNullException.ThrowIfNull(base64);
        byte[] key;
        try
        {
            key = Convert.FromBase64String(base64.Trim());
        }
        catch (FormatException ex)
        {
            throw new InvalidOperationException($"{source} is not base64: generate one with 'openssl rand -base64 32'.", ex);
        }

        if (key.Length < AuditOptions.MinimumKeyBytes)
        {
            throw new InvalidOperationException($"{source} is {key.Length} bytes; an audit key must be at least {AuditOptions.MinimumKeyBytes} bytes.");
        }

        return key;
    }

    /// <summary>A short public identifier of a key (16 hex characters), written in every file's opening record so that verifying with another key is reported as such.</summary>
    /// <param name="key">The key.</param>
    /// <returns>16 lower-case hex characters.</returns>
    public static string Id(ReadOnlySpan<byte> key)
    {
        Span<byte> mac = stackalloc byte[32];
        System.Security.Cryptography.HMACSHA256.HashData(key, "mcp-policy audit key id"u8, mac);
        return Convert.ToHexStringLower(mac[..8]);
    }
}
