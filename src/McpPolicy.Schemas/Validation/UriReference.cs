using System.Globalization;
using System.Text;

namespace McpPolicy.Schemas.Validation;

/// <summary>
/// RFC 3986 reference resolution on plain strings. System.Uri is not used because it rewrites what it parses
/// (it unescapes, lower-cases, and treats URNs and Windows drive letters specially), and schema identifiers must
/// compare exactly as written.
/// </summary>
internal static class UriReference
{
    /// <summary>Whether the reference has a scheme.</summary>
    public static bool IsAbsolute(string reference)
    {
        int colon = reference.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || !char.IsAsciiLetter(reference[0]))
        {
            return false;
        }

        for (int i = 1; i < colon; i++)
        {
            char c = reference[i];
            if (!char.IsAsciiLetterOrDigit(c) && c != '+' && c != '-' && c != '.')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Splits off the fragment: ("http://x/y", "frag") for "http://x/y#frag"; the fragment is null when absent.</summary>
    public static (string Resource, string? Fragment) SplitFragment(string uri)
    {
        int hash = uri.IndexOf('#', StringComparison.Ordinal);
        return hash < 0 ? (uri, null) : (uri[..hash], uri[(hash + 1)..]);
    }

    /// <summary>Resolves <paramref name="reference"/> against the absolute <paramref name="baseUri"/> (RFC 3986 §5.2).</summary>
    public static string Resolve(string baseUri, string reference)
    {
        var r = Parse(reference);
        if (r.Scheme is not null)
        {
            return Compose(r.Scheme, r.Authority, RemoveDotSegments(r.Path), r.Query, r.Fragment);
        }

        var b = Parse(baseUri);
        if (r.Authority is not null)
        {
            return Compose(b.Scheme, r.Authority, RemoveDotSegments(r.Path), r.Query, r.Fragment);
        }

        if (r.Path.Length == 0)
        {
            return Compose(b.Scheme, b.Authority, b.Path, r.Query ?? b.Query, r.Fragment);
        }

        string path;
        if (r.Path[0] == '/')
        {
            path = RemoveDotSegments(r.Path);
        }
        else if (b.Authority is not null && b.Path.Length == 0)
        {
            path = RemoveDotSegments("/" + r.Path);
        }
        else
        {
            int slash = b.Path.LastIndexOf('/');
            path = RemoveDotSegments(slash < 0 ? r.Path : b.Path[..(slash + 1)] + r.Path);
        }

        return Compose(b.Scheme, b.Authority, path, r.Query, r.Fragment);
    }

    /// <summary>Percent-decodes a URI fragment (for JSON Pointers and anchors in fragments).</summary>
    public static string PercentDecode(string value)
    {
        if (!value.Contains('%', StringComparison.Ordinal))
        {
            return value;
        }

        var bytes = new List<byte>(value.Length);
        Span<byte> utf8 = stackalloc byte[4];
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (c == '%' && i + 2 < value.Length
                && byte.TryParse(value.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out byte decoded))
            {
                bytes.Add(decoded);
                i += 2;
                continue;
            }

            if (char.IsHighSurrogate(c) && i + 1 < value.Length)
            {
                int n = Encoding.UTF8.GetBytes(value.AsSpan(i, 2), utf8);
                for (int k = 0; k < n; k++)
                {
                    bytes.Add(utf8[k]);
                }

                i++;
                continue;
            }

            int count = Encoding.UTF8.GetBytes(value.AsSpan(i, 1), utf8);
            for (int k = 0; k < count; k++)
            {
                bytes.Add(utf8[k]);
            }
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private static Parts Parse(string reference)
    {
        string rest = reference;
        string? fragment = null;
        int hash = rest.IndexOf('#', StringComparison.Ordinal);
        if (hash >= 0)
        {
            fragment = rest[(hash + 1)..];
            rest = rest[..hash];
        }

        string? query = null;
        int question = rest.IndexOf('?', StringComparison.Ordinal);
        if (question >= 0)
        {
            query = rest[(question + 1)..];
            rest = rest[..question];
        }

        string? scheme = null;
        if (IsAbsolute(rest))
        {
            int colon = rest.IndexOf(':', StringComparison.Ordinal);
            scheme = rest[..colon].ToLowerInvariant();
            rest = rest[(colon + 1)..];
        }

        string? authority = null;
        if (rest.StartsWith("//", StringComparison.Ordinal))
        {
            int end = rest.IndexOf('/', 2);
            authority = end < 0 ? rest[2..] : rest[2..end];
            rest = end < 0 ? string.Empty : rest[end..];
        }

        return new Parts(scheme, authority, rest, query, fragment);
    }

    private static string Compose(string? scheme, string? authority, string path, string? query, string? fragment)
    {
        var builder = new StringBuilder();
        if (scheme is not null)
        {
            builder.Append(scheme).Append(':');
        }

        if (authority is not null)
        {
            builder.Append("//").Append(authority);
        }

        builder.Append(path);
        if (query is not null)
        {
            builder.Append('?').Append(query);
        }

        if (fragment is not null)
        {
            builder.Append('#').Append(fragment);
        }

        return builder.ToString();
    }

    private static string RemoveDotSegments(string path)
    {
        if (!path.Contains('.', StringComparison.Ordinal))
        {
            return path;
        }

        var output = new List<string>();
        var input = path;
        bool absolute = input.StartsWith('/');
        var segments = input.Split('/');
        for (int i = absolute ? 1 : 0; i < segments.Length; i++)
        {
            string segment = segments[i];
            bool last = i == segments.Length - 1;
            if (segment == ".")
            {
                if (last)
                {
                    output.Add(string.Empty);
                }

                continue;
            }

            if (segment == "..")
            {
                if (output.Count > 0)
                {
                    output.RemoveAt(output.Count - 1);
                }

                if (last)
                {
                    output.Add(string.Empty);
                }

                continue;
            }

            output.Add(segment);
        }

        var joined = string.Join('/', output);
        return absolute ? "/" + joined : joined;
    }

    private readonly record struct Parts(string? Scheme, string? Authority, string Path, string? Query, string? Fragment);
}
