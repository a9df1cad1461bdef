using System.Security.Cryptography;

namespace McpPolicy.Schemas;

/// <summary>
/// The host's secret for signing a lock file with HMAC-SHA256. With a key, <see cref="CatalogLockFile"/> signs what it writes and
/// rejects a file whose signature is missing or does not match, so a lock file edited outside the approval flow is not trusted.
/// </summary>
public sealed class CatalogLockSigningKey
{
    /// <summary>The smallest key accepted, in bytes (the HMAC-SHA256 block output size).</summary>
    public const int MinimumLength = 32;

    private readonly byte[] _key;

    /// <summary>Creates a signing key.</summary>
    /// <param name="key">The secret, at least <see cref="MinimumLength"/> bytes (copied).</param>
    /// <param name="keyId">A name for the key, written beside the signature so a rotated key is reported as such; null for none.</param>
    /// <exception cref="ArgumentException">The key is shorter than <see cref="MinimumLength"/> bytes.</exception>
    public CatalogLockSigningKey(ReadOnlySpan<byte> key, string? keyId = null)
    {
        if (key.Length < MinimumLength)
        {
            throw new ArgumentException($"A lock file signing key must be at least {MinimumLength} bytes; this one has {key.Length}. Generate one with RandomNumberGenerator.GetBytes({MinimumLength}).", nameof(key));
        }

        if (keyId is not null && (keyId.Length == 0 || keyId.Length > 200))
        {
            throw new ArgumentException("A key id must be 1 to 200 characters.", nameof(keyId));
        }

        _key = key.ToArray();
        KeyId = keyId;
    }

    /// <summary>The key's name, when given.</summary>
    public string? KeyId { get; }

    internal byte[] Sign(ReadOnlySpan<byte> canonical) => HMACSHA256.HashData(_key, canonical);
}
