using McpPolicy.Schemas.Constraints;

namespace McpPolicy;

/// <summary>
/// Restricts a URL argument of an MCP server tool, like the policy's <c>url</c> constraint:
/// <c>[AllowedHosts("url", "*.example.com", "api.github.com")]</c>. The host is normalized (punycode, every IP literal form)
/// before it is compared, URLs with userinfo or backslashes are refused, and loopback, private, link-local (such as
/// 169.254.169.254) and other non-public hosts are refused unless listed. Enforced on the server by
/// <c>AddArgumentConstraints()</c>, which also adds <c>"format": "uri"</c> and a scheme pattern to the argument's input schema.
/// </summary>
/// <remarks>
/// With no hosts listed, any public host is allowed. '*.example.com' matches subdomains at any depth, not example.com
/// itself. One attribute per argument; a method's attribute for an argument replaces the class's.
/// </remarks>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class, AllowMultiple = true, Inherited = true)]
public sealed class AllowedHostsAttribute : ToolPolicyAttribute, IArgumentConstraintAttribute
{
    /// <summary>Restricts <paramref name="argument"/> to URLs naming one of <paramref name="hosts"/>.</summary>
    /// <param name="argument">The argument: a top-level name, or a JSON Pointer such as <c>/request/url</c>.</param>
    /// <param name="hosts">Allowed hosts: names, <c>*.</c> wildcards, IP addresses or CIDR ranges; none allows any public host.</param>
    public AllowedHostsAttribute(string argument, params string[] hosts)
    {
        Argument = argument;
        Hosts = hosts ?? [];
    }

    /// <summary>The constrained argument: a top-level name, or a JSON Pointer starting with '/'.</summary>
    public string Argument { get; }

    /// <summary>The allowed hosts; empty allows any public host.</summary>
    public IReadOnlyList<string> Hosts { get; }

#pragma warning disable CA1819 // Attribute named arguments can only be arrays.
    /// <summary>Allowed URL schemes. Default: <c>https</c> only.</summary>
    public string[]? Schemes { get; set; }

    /// <summary>Hosts that are refused even when they match <see cref="Hosts"/>.</summary>
    public string[]? DenyHosts { get; set; }

    /// <summary>Allowed ports (a URL without a port uses its scheme's default). Default: any.</summary>
    public int[]? Ports { get; set; }
#pragma warning restore CA1819

    /// <summary>True: loopback, private, link-local and other non-public hosts are allowed like any other. Default: false.</summary>
    public bool AllowPrivate { get; set; }

    string IArgumentConstraintAttribute.ConstraintName => "AllowedHosts";

    IArgumentCheck IArgumentConstraintAttribute.Compile() => AttributeCompiler.Compile(this, reader => UrlCheck.Compile(
        new UrlConstraintSettings(Schemes ?? ["https"], Hosts.Count == 0 ? null : Hosts, DenyHosts ?? [], AllowPrivate, Ports),
        reader));

    /// <summary>The schemes the URL may use, lower case (for the input schema).</summary>
    internal IEnumerable<string> EffectiveSchemes => (Schemes ?? ["https"]).Select(s => s.ToLowerInvariant());
}
