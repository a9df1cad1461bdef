using System.Globalization;
using System.Text.Json;

namespace McpPolicy.Schemas.Constraints;

/// <summary>The settings of a <c>url</c> constraint, from a policy or from <see cref="AllowedHostsAttribute"/>.</summary>
/// <param name="Schemes">Allowed schemes, lower case.</param>
/// <param name="AllowHosts">Hosts a URL may name; null allows any public host.</param>
/// <param name="DenyHosts">Hosts a URL must not name; they win over allowed hosts.</param>
/// <param name="AllowPrivate">True: loopback, private and other non-public hosts are accepted like any other.</param>
/// <param name="Ports">Allowed ports (the scheme's default port when none is written); null allows any.</param>
internal sealed record UrlConstraintSettings(IReadOnlyList<string> Schemes, IReadOnlyList<string>? AllowHosts, IReadOnlyList<string> DenyHosts, bool AllowPrivate, IReadOnlyList<int>? Ports);

/// <summary>What a URL check found.</summary>
internal enum UrlVerdict
{
    Allowed,
    Malformed,
    SchemeNotAllowed,
    PortNotAllowed,
    HostDenied,
    HostNotAllowed,
    NonPublicHost,
}

/// <summary>
/// A compiled <c>url</c> constraint. The value is parsed strictly (see <see cref="TryParse"/>); anything two URL parsers
/// could read differently — backslashes, whitespace, control characters, userinfo, a missing or extra '/' after the
/// scheme — is refused rather than guessed. The host is normalized (<see cref="UrlHost"/>) before it is compared.
/// </summary>
internal sealed class UrlCheck : IArgumentCheck
{
    /// <summary>The longest URL accepted.</summary>
    public const int MaxLength = 8192;

    private static readonly Dictionary<string, int> DefaultPorts = new(StringComparer.Ordinal)
    {
        ["http"] = 80, ["https"] = 443, ["ws"] = 80, ["wss"] = 443, ["ftp"] = 21,
    };

    private readonly HashSet<string> _schemes;
    private readonly HostPattern[]? _allow;
    private readonly HostPattern[] _deny;
    private readonly bool _allowPrivate;
    private readonly HashSet<int>? _ports;

    private UrlCheck(HashSet<string> schemes, HostPattern[]? allow, HostPattern[] deny, bool allowPrivate, HashSet<int>? ports, string description)
    {
        _schemes = schemes;
        _allow = allow;
        _deny = deny;
        _allowPrivate = allowPrivate;
        _ports = ports;
        Description = description;
    }

    /// <inheritdoc />
    public string Description { get; }

    public static UrlCheck? Compile(UrlConstraintSettings settings, ConstraintSettingsReader reader)
    {
        var schemes = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < settings.Schemes.Count; i++)
        {
            var scheme = settings.Schemes[i].ToLowerInvariant();
            if (!IsScheme(scheme))
            {
                reader.Error($"$.schemes[{i}]", $"'{settings.Schemes[i]}' is not a URL scheme (a letter, then letters, digits, '+', '-' or '.')");
            }
            else if (scheme == "file")
            {
                reader.Error($"$.schemes[{i}]", "file URLs name no host; constrain file paths with the 'path' constraint instead");
            }
            else
            {
                schemes.Add(scheme);
            }
        }

        var allow = CompileHosts(settings.AllowHosts, "allowHosts", reader);
        var deny = CompileHosts(settings.DenyHosts, "denyHosts", reader) ?? [];
        for (var i = 0; i < (settings.Ports?.Count ?? 0); i++)
        {
            if (settings.Ports![i] is < 1 or > 65535)
            {
                reader.Error($"$.ports[{i}]", string.Create(CultureInfo.InvariantCulture, $"{settings.Ports[i]} is not a port; expected a whole number from 1 to 65535"));
            }
        }

        if (reader.HasErrors)
        {
            return null;
        }

        var description = "must be a URL with scheme " + (schemes.Count == 0 ? "(none allowed)" : string.Join(" or ", schemes.Order(StringComparer.Ordinal)))
            + (allow is null ? "" : ", host " + (allow.Length == 0 ? "(none allowed)" : string.Join(" or ", allow.Select(h => h.Text))))
            + (deny.Length == 0 ? "" : ", not host " + string.Join(" or ", deny.Select(h => h.Text)))
            + (settings.Ports is null ? "" : ", port " + string.Join(" or ", settings.Ports.Select(p => p.ToString(CultureInfo.InvariantCulture))))
            + (settings.AllowPrivate ? "" : ", and no loopback, private or link-local host unless listed");
        return new UrlCheck(schemes, allow, deny, settings.AllowPrivate, settings.Ports?.ToHashSet(), description);
    }

    /// <inheritdoc />
    public bool? Check(JsonElement value)
    {
        if (!ConstraintText.TryGet(value, out var text))
        {
            return null;
        }

        return Evaluate(text) == UrlVerdict.Allowed;
    }

    public UrlVerdict Evaluate(string text)
    {
        if (!TryParse(text, out var scheme, out var host, out var port))
        {
            return UrlVerdict.Malformed;
        }

        if (!_schemes.Contains(scheme))
        {
            return UrlVerdict.SchemeNotAllowed;
        }

        if (_ports is not null)
        {
            var effective = port ?? (DefaultPorts.TryGetValue(scheme, out var d) ? d : null);
            if (effective is not { } p || !_ports.Contains(p))
            {
                return UrlVerdict.PortNotAllowed;
            }
        }

        foreach (var pattern in _deny)
        {
            if (pattern.Matches(host))
            {
                return UrlVerdict.HostDenied;
            }
        }

        var listed = false;
        if (_allow is not null)
        {
            foreach (var pattern in _allow)
            {
                if (pattern.Matches(host))
                {
                    listed = true;
                    break;
                }
            }

            if (!listed)
            {
                return UrlVerdict.HostNotAllowed;
            }
        }

        if (!_allowPrivate && !listed && NonPublicHosts.IsNonPublic(host))
        {
            return UrlVerdict.NonPublicHost;
        }

        return UrlVerdict.Allowed;
    }

    /// <summary>
    /// Parses an absolute URL with an authority: <c>scheme://host[:port][/path][?query][#fragment]</c>. Refused: ASCII
    /// whitespace and control characters anywhere (WHATWG parsers silently drop tabs and newlines), backslashes (a '/' to
    /// WHATWG, not to RFC 3986), invisible formatting characters, userinfo (<c>https://allowed.com@evil.com</c>),
    /// anything but exactly two slashes after the scheme, an empty host, and a port that is not 1 to 65535.
    /// </summary>
    internal static bool TryParse(string text, out string scheme, out UrlHost host, out int? port)
    {
        scheme = "";
        host = default;
        port = null;
        if (text.Length == 0 || text.Length > MaxLength)
        {
            return false;
        }

        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c <= ' ' || (c >= 0x7F && c <= 0xA0) || c == '\\')
            {
                return false;
            }

            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }

            if (char.IsSurrogate(c))
            {
                return false;
            }

            if (c > 0x7F && char.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.SpaceSeparator)
            {
                return false;
            }
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            return false;
        }

        scheme = text[..colon].ToLowerInvariant();
        if (!IsScheme(scheme))
        {
            return false;
        }

        var rest = text.AsSpan(colon + 1);
        if (!rest.StartsWith("//") || (rest.Length > 2 && rest[2] == '/'))
        {
            return false;
        }

        rest = rest[2..];
        var end = rest.IndexOfAny("/?#");
        var authority = end < 0 ? rest : rest[..end];
        if (authority.Length == 0 || authority.Contains('@'))
        {
            return false;
        }

        ReadOnlySpan<char> hostText;
        ReadOnlySpan<char> portText = default;
        var hasPort = false;
        if (authority[0] == '[')
        {
            var close = authority.IndexOf(']');
            if (close < 0)
            {
                return false;
            }

            hostText = authority[..(close + 1)];
            var after = authority[(close + 1)..];
            if (after.Length > 0)
            {
                if (after[0] != ':')
                {
                    return false;
                }

                hasPort = true;
                portText = after[1..];
            }
        }
        else
        {
            var portColon = authority.IndexOf(':');
            hostText = portColon < 0 ? authority : authority[..portColon];
            if (portColon >= 0)
            {
                hasPort = true;
                portText = authority[(portColon + 1)..];
            }
        }

        if (hasPort && portText.Length > 0)
        {
            if (portText.Length > 5 || !int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p is < 1 or > 65535)
            {
                return false;
            }

            port = p;
        }

        return UrlHost.TryParse(hostText.ToString(), out host);
    }

    private static bool IsScheme(string scheme)
        => scheme.Length > 0 && char.IsAsciiLetter(scheme[0]) && scheme.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.');

    private static HostPattern[]? CompileHosts(IReadOnlyList<string>? hosts, string key, ConstraintSettingsReader reader)
    {
        if (hosts is null)
        {
            return null;
        }

        var result = new List<HostPattern>();
        for (var i = 0; i < hosts.Count; i++)
        {
            var pattern = HostPattern.Parse(hosts[i], out var error);
            if (pattern is null)
            {
                reader.Error($"$.{key}[{i}]", error);
            }
            else
            {
                result.Add(pattern);
            }
        }

        return result.ToArray();
    }
}
