using System.Diagnostics.CodeAnalysis;

namespace McpPolicy.Tokens;

/// <summary>
/// The canonical URI of a protected MCP server (an RFC 8707 resource indicator), used to check that an access token
/// was issued for this server and no other.
/// </summary>
/// <remarks>
/// <para>
/// Parsing is strict and canonicalizing: the URI must be absolute <c>https</c> (or <c>http</c> on a loopback host),
/// without user information, query or fragment. Scheme and host are lower-cased, an internationalized host is put in
/// its ASCII (punycode) form, a default port is dropped, percent-escapes of unreserved characters are decoded and other
/// escapes upper-cased, and a trailing slash is dropped, as the MCP authorization specification recommends.
/// </para>
/// <para>
/// Forms that different parsers read differently are rejected rather than guessed at: whitespace and control
/// characters, backslashes, <c>@</c> anywhere (user information), <c>.</c> and <c>..</c> path segments, empty path
/// segments, percent-escapes in the host, IPv6 zone ids, a trailing dot on the host, and numeric hosts that are not
/// plain dotted-decimal IPv4.
/// </para>
/// </remarks>
public sealed class ResourceIndicator : IEquatable<ResourceIndicator>
{
    private ResourceIndicator(string value)
    {
        Value = value;
    }

    /// <summary>The canonical URI, for example <c>https://mcp.example.com/mcp</c>.</summary>
    public string Value { get; }

    /// <summary>Parses and canonicalizes a resource URI.</summary>
    /// <param name="value">The URI text.</param>
    /// <returns>The canonical resource.</returns>
    /// <exception cref="FormatException">The text is not an acceptable resource URI; the message says why.</exception>
    public static ResourceIndicator Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!ResourceUriCanonicalizer.TryCanonicalize(value, out var canonical, out var error))
        {
            throw new FormatException($"'{value}' is not a valid resource URI: {error}.");
        }

        return new ResourceIndicator(canonical);
    }

    /// <summary>Parses and canonicalizes a resource URI, without throwing.</summary>
    /// <param name="value">The URI text.</param>
    /// <param name="resource">The canonical resource, when the text is acceptable.</param>
    /// <returns>True when the text is an acceptable resource URI.</returns>
    public static bool TryParse([NotNullWhen(true)] string? value, [NotNullWhen(true)] out ResourceIndicator? resource)
    {
        if (ResourceUriCanonicalizer.TryCanonicalize(value, out var canonical, out _))
        {
            resource = new ResourceIndicator(canonical);
            return true;
        }

        resource = null;
        return false;
    }

    /// <summary>
    /// True when an audience value from a token names this resource: it canonicalizes to the same URI. There is no
    /// prefix or pattern matching; a value that is not an acceptable resource URI never matches.
    /// </summary>
    /// <param name="audienceClaimValue">One <c>aud</c> value from an access token.</param>
    /// <returns>True when the value names this resource.</returns>
    public bool Matches(string? audienceClaimValue)
    {
        if (audienceClaimValue is null)
        {
            return false;
        }

        if (string.Equals(audienceClaimValue, Value, StringComparison.Ordinal))
        {
            return true;
        }

        return ResourceUriCanonicalizer.TryCanonicalize(audienceClaimValue, out var canonical, out _)
            && string.Equals(canonical, Value, StringComparison.Ordinal);
    }

    /// <inheritdoc />
    public bool Equals(ResourceIndicator? other) => other is not null && string.Equals(Value, other.Value, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as ResourceIndicator);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Value);

    /// <summary>The canonical URI.</summary>
    /// <returns><see cref="Value"/>.</returns>
    public override string ToString() => Value;
}
