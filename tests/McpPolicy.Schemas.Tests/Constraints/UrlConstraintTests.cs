using System.Text.Json;
using McpPolicy.Schemas.Constraints;

namespace McpPolicy.Schemas.Tests.Constraints;

public sealed class UrlConstraintTests
{
    private static readonly UrlCheck AnyPublicHttp = Compile("""{ "schemes": ["http", "https"] }""");

    private static readonly UrlCheck ExampleOnly = Compile("""{ "schemes": ["https"], "allowHosts": ["*.example.com", "api.github.com"] }""");

    private static UrlCheck Compile(string settings) => (UrlCheck)new UrlConstraintKind().Compile(JsonDocument.Parse(settings).RootElement);

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data/iam/security-credentials/", "cloud metadata")]
    [InlineData("http://169.254.169.254.", "metadata, trailing dot")]
    [InlineData("http://2852039166/", "metadata as one decimal number")]
    [InlineData("http://0xa9fea9fe/", "metadata as one hex number")]
    [InlineData("http://0251.0376.0251.0376/", "metadata in octal")]
    [InlineData("http://127.0.0.1/", "loopback")]
    [InlineData("http://2130706433/", "loopback as one decimal number")]
    [InlineData("http://0x7f.1/", "loopback hex and short form")]
    [InlineData("http://0x7F000001/", "loopback as one hex number")]
    [InlineData("http://017700000001/", "loopback as one octal number")]
    [InlineData("http://0177.0.0.1/", "loopback octal first part")]
    [InlineData("http://127.1/", "loopback short form")]
    [InlineData("http://127.0.1/", "loopback three-part form")]
    [InlineData("http://0/", "0.0.0.0, which reaches the local host")]
    [InlineData("http://0.0.0.0:8080/", "unspecified")]
    [InlineData("http://[::1]/", "IPv6 loopback")]
    [InlineData("http://[0:0:0:0:0:0:0:1]/", "IPv6 loopback long form")]
    [InlineData("http://[::]/", "IPv6 unspecified")]
    [InlineData("http://[::ffff:127.0.0.1]/", "IPv4-mapped loopback")]
    [InlineData("http://[::ffff:7f00:1]/", "IPv4-mapped loopback in hex")]
    [InlineData("http://[::ffff:169.254.169.254]/", "IPv4-mapped metadata")]
    [InlineData("http://[::127.0.0.1]/", "IPv4-compatible loopback")]
    [InlineData("http://[64:ff9b::a9fe:a9fe]/", "NAT64 metadata")]
    [InlineData("http://[2002:7f00:1::]/", "6to4 loopback")]
    [InlineData("http://10.0.0.1/", "10/8")]
    [InlineData("http://10.255.255.255/", "10/8 top")]
    [InlineData("http://172.16.0.1/", "172.16/12 bottom")]
    [InlineData("http://172.31.255.254/", "172.16/12 top")]
    [InlineData("http://192.168.1.1/", "192.168/16")]
    [InlineData("http://100.64.0.1/", "CGNAT bottom")]
    [InlineData("http://100.127.255.254/", "CGNAT top")]
    [InlineData("http://[fc00::1]/", "unique-local fc")]
    [InlineData("http://[fd12:3456:789a::1]/", "unique-local fd")]
    [InlineData("http://[fe80::1]/", "link-local")]
    [InlineData("http://[febf::1]/", "link-local top")]
    [InlineData("http://[ff02::1]/", "multicast")]
    [InlineData("http://224.0.0.1/", "IPv4 multicast")]
    [InlineData("http://255.255.255.255/", "broadcast")]
    [InlineData("http://localhost/", "localhost")]
    [InlineData("http://LOCALHOST./", "localhost, upper case, trailing dot")]
    [InlineData("http://api.localhost/", "a localhost subdomain")]
    [InlineData("http://metadata.google.internal/", ".internal")]
    [InlineData("http://printer.local/", "mDNS .local")]
    [InlineData("http://intranet/", "a single-label name")]
    [InlineData("http://%31%32%37.0.0.1/", "percent-encoded loopback")]
    [InlineData("http://\uFF11\uFF12\uFF17.0.0.1/", "fullwidth digits")]
    [InlineData("http://127\u30020\u30020\u30021/", "ideographic full stops")]
    public void Ssrf_target_is_refused(string url, string what)
        => Assert.True(AnyPublicHttp.Evaluate(url) is UrlVerdict.NonPublicHost, $"{what}: {AnyPublicHttp.Evaluate(url)}");

    [Theory]
    [InlineData("http://172.15.255.255/")]
    [InlineData("http://172.32.0.1/")]
    [InlineData("http://100.63.255.255/")]
    [InlineData("http://100.128.0.1/")]
    [InlineData("http://11.0.0.1/")]
    [InlineData("http://8.8.8.8/")]
    [InlineData("http://[2606:4700:4700::1111]/")]
    [InlineData("http://[::ffff:8.8.8.8]/")]
    [InlineData("https://example.com/")]
    public void Public_neighbour_of_a_private_range_is_accepted(string url)
        => Assert.Equal(UrlVerdict.Allowed, AnyPublicHttp.Evaluate(url));

    [Theory]
    [InlineData("https://allowed.com@evil.com/", "userinfo trick")]
    [InlineData("https://api.github.com@169.254.169.254/", "userinfo to metadata")]
    [InlineData("https://user:pass@api.github.com/", "credentials")]
    [InlineData("https://api.github.com%40evil.com/", "encoded @")]
    [InlineData("https://api.github.com\\@evil.com/", "backslash before @")]
    [InlineData("https://evil.com\\.api.github.com/", "backslash as separator")]
    [InlineData("https:\\\\api.github.com/", "backslashes after the scheme")]
    [InlineData("https:/api.github.com/", "one slash")]
    [InlineData("https:api.github.com/", "no slash")]
    [InlineData("https:///api.github.com/", "three slashes")]
    [InlineData(" https://api.github.com/", "leading space")]
    [InlineData("https://api.github.com/\n", "newline")]
    [InlineData("https://api.git\thub.com/", "tab (WHATWG drops it)")]
    [InlineData("https://api.github.com:99999/", "port too large")]
    [InlineData("https://api.github.com:0/", "port zero")]
    [InlineData("https://api.github.com:-1/", "negative port")]
    [InlineData("https://[::1/", "unclosed bracket")]
    [InlineData("https://[fe80::1%25eth0]/", "IPv6 zone")]
    [InlineData("https://1.2.3.4.5/", "five-part IPv4")]
    [InlineData("https://256.0.0.1/", "IPv4 part too large")]
    [InlineData("https://08.0.0.1/", "invalid octal")]
    [InlineData("https://example.123/", "numeric last label that is no address")]
    [InlineData("https:///", "no host")]
    [InlineData("https://", "empty authority")]
    [InlineData("//api.github.com/", "scheme-relative")]
    [InlineData("api.github.com", "no scheme")]
    [InlineData("https://exa mple.com/", "space in host")]
    [InlineData("https://ex\u200Bample.com/", "zero-width space")]
    [InlineData("https://xn--zz.example.com/", "invalid punycode")]
    [InlineData("https://a..example.com/", "empty label")]
    public void Malformed_or_ambiguous_url_is_refused(string url, string what)
        => Assert.True(ExampleOnly.Evaluate(url) is UrlVerdict.Malformed, $"{what}: {ExampleOnly.Evaluate(url)}");

    [Theory]
    [InlineData("https://api.github.com/repos")]
    [InlineData("HTTPS://API.GITHUB.COM/repos")]
    [InlineData("https://api.github.com./repos")]
    [InlineData("https://api.github.com:443/repos")]
    [InlineData("https://api.github.com:/repos")]
    [InlineData("https://www.example.com/")]
    [InlineData("https://a.b.c.example.com/")]
    [InlineData("https://www.example.com?q=@evil.com")]
    [InlineData("https://www.example.com#@evil.com")]
    [InlineData("https://%61pi.github.com/")]
    public void Allowed_host_in_any_spelling_is_accepted(string url)
        => Assert.Equal(UrlVerdict.Allowed, ExampleOnly.Evaluate(url));

    [Theory]
    [InlineData("https://example.com/", nameof(UrlVerdict.HostNotAllowed))]
    [InlineData("https://evilexample.com/", nameof(UrlVerdict.HostNotAllowed))]
    [InlineData("https://example.com.evil.com/", nameof(UrlVerdict.HostNotAllowed))]
    [InlineData("https://api.github.com.evil.com/", nameof(UrlVerdict.HostNotAllowed))]
    [InlineData("https://github.com/", nameof(UrlVerdict.HostNotAllowed))]
    [InlineData("http://api.github.com/", nameof(UrlVerdict.SchemeNotAllowed))]
    [InlineData("ftp://api.github.com/", nameof(UrlVerdict.SchemeNotAllowed))]
    [InlineData("file:///etc/passwd", nameof(UrlVerdict.Malformed))]
    [InlineData("javascript://api.github.com/%0aalert(1)", nameof(UrlVerdict.SchemeNotAllowed))]
    public void Other_host_or_scheme_is_refused(string url, string verdict)
        => Assert.Equal(Enum.Parse<UrlVerdict>(verdict), ExampleOnly.Evaluate(url));

    [Theory]
    [InlineData("https://b\u00FCcher.example/")]
    [InlineData("https://xn--bcher-kva.example/")]
    [InlineData("https://B\u00DCCHER.example/")]
    public void Idn_host_compares_as_punycode(string url)
    {
        var check = Compile("""{ "allowHosts": ["b\u00fccher.example"] }""");
        Assert.Equal(UrlVerdict.Allowed, check.Evaluate(url));
    }

    [Fact]
    public void Idn_look_alike_of_an_allowed_host_is_a_different_host()
    {
        // Cyrillic 'а' (U+0430) in "аpi.github.com" is xn--pi-7kc.github.com, not api.github.com.
        Assert.Equal(UrlVerdict.HostNotAllowed, ExampleOnly.Evaluate("https://\u0430pi.github.com/"));
        Assert.Equal(UrlVerdict.Allowed, ExampleOnly.Evaluate("https://\uFF41pi.github.com/"));
    }

    [Fact]
    public void Listed_private_address_is_allowed_in_every_spelling()
    {
        var check = Compile("""{ "schemes": ["http"], "allowHosts": ["127.0.0.1", "10.1.0.0/16", "localhost", "fd00::/8"] }""");

        Assert.Equal(UrlVerdict.Allowed, check.Evaluate("http://127.0.0.1:8080/"));
        Assert.Equal(UrlVerdict.Allowed, check.Evaluate("http://2130706433/"));
        Assert.Equal(UrlVerdict.Allowed, check.Evaluate("http://[::ffff:127.0.0.1]/"));
        Assert.Equal(UrlVerdict.Allowed, check.Evaluate("http://10.1.200.3/"));
        Assert.Equal(UrlVerdict.Allowed, check.Evaluate("http://localhost/"));
        Assert.Equal(UrlVerdict.Allowed, check.Evaluate("http://[fd00::5]/"));
        Assert.Equal(UrlVerdict.HostNotAllowed, check.Evaluate("http://10.2.0.1/"));
        Assert.Equal(UrlVerdict.HostNotAllowed, check.Evaluate("http://127.0.0.2/"));
    }

    [Fact]
    public void Allow_private_admits_non_public_hosts()
    {
        var check = Compile("""{ "schemes": ["http"], "allowPrivate": "true" }""");
        Assert.Equal(UrlVerdict.Allowed, check.Evaluate("http://169.254.169.254/"));
        Assert.Equal(UrlVerdict.Allowed, check.Evaluate("http://localhost/"));
    }

    [Fact]
    public void Denied_host_wins_over_allowed_host()
    {
        var check = Compile("""{ "allowHosts": ["*.example.com"], "denyHosts": ["admin.example.com", "*.internal.example.com"] }""");

        Assert.Equal(UrlVerdict.Allowed, check.Evaluate("https://www.example.com/"));
        Assert.Equal(UrlVerdict.HostDenied, check.Evaluate("https://ADMIN.example.com./"));
        Assert.Equal(UrlVerdict.HostDenied, check.Evaluate("https://db.internal.example.com/"));
    }

    [Fact]
    public void Denied_address_matches_every_spelling()
    {
        var check = Compile("""{ "schemes": ["http"], "allowPrivate": true, "denyHosts": ["169.254.0.0/16", "127.0.0.1"] }""");

        Assert.Equal(UrlVerdict.HostDenied, check.Evaluate("http://0xa9fea9fe/"));
        Assert.Equal(UrlVerdict.HostDenied, check.Evaluate("http://[::ffff:a9fe:a9fe]/"));
        Assert.Equal(UrlVerdict.HostDenied, check.Evaluate("http://127.1/"));
        Assert.Equal(UrlVerdict.Allowed, check.Evaluate("http://127.0.0.2/"));
    }

    [Theory]
    [InlineData("https://api.github.com/", nameof(UrlVerdict.Allowed))]
    [InlineData("https://api.github.com:443/", nameof(UrlVerdict.Allowed))]
    [InlineData("https://api.github.com:8443/", nameof(UrlVerdict.PortNotAllowed))]
    [InlineData("wss://api.github.com/", nameof(UrlVerdict.Allowed))]
    [InlineData("git+ssh://api.github.com/", nameof(UrlVerdict.PortNotAllowed))]
    public void Port_list_applies_to_default_ports_too(string url, string verdict)
    {
        var check = Compile("""{ "schemes": ["https", "wss", "git+ssh"], "ports": ["443"] }""");
        Assert.Equal(Enum.Parse<UrlVerdict>(verdict), check.Evaluate(url));
    }

    [Fact]
    public void Schemes_default_to_https_only()
    {
        var check = Compile("{}");
        Assert.Equal(UrlVerdict.Allowed, check.Evaluate("https://example.com/"));
        Assert.Equal(UrlVerdict.SchemeNotAllowed, check.Evaluate("http://example.com/"));
    }

    [Theory]
    [InlineData("42")]
    [InlineData("null")]
    [InlineData("[\"https://example.com\"]")]
    [InlineData("\"\\udc00\"")]
    public void Value_that_is_not_a_decodable_string_cannot_be_judged(string json)
        => Assert.Null(AnyPublicHttp.Check(JsonDocument.Parse(json).RootElement));

    [Fact]
    public void Description_names_schemes_hosts_and_the_private_rule()
        => Assert.Equal(
            "must be a URL with scheme https, host *.example.com or api.github.com, and no loopback, private or link-local host unless listed",
            ExampleOnly.Description);

    [Theory]
    [InlineData("""{ "allowHosts": ["*"] }""", "$.allowHosts[0]")]
    [InlineData("""{ "allowHosts": ["api*.example.com"] }""", "$.allowHosts[0]")]
    [InlineData("""{ "allowHosts": ["*."] }""", "$.allowHosts[0]")]
    [InlineData("""{ "denyHosts": ["10.0.0.0/33"] }""", "$.denyHosts[0]")]
    [InlineData("""{ "denyHosts": ["exa mple.com"] }""", "$.denyHosts[0]")]
    [InlineData("""{ "schemes": ["file"] }""", "$.schemes[0]")]
    [InlineData("""{ "schemes": ["1http"] }""", "$.schemes[0]")]
    [InlineData("""{ "ports": [0] }""", "$.ports[0]")]
    [InlineData("""{ "ports": ["https"] }""", "$.ports[0]")]
    [InlineData("""{ "allowPrivate": 1 }""", "$.allowPrivate")]
    [InlineData("""{ "hosts": [] }""", "$.hosts")]
    public void Invalid_settings_are_reported_under_their_key(string settings, string path)
    {
        var ex = Assert.Throws<PolicyValidationException>(() => new UrlConstraintKind().Compile(JsonDocument.Parse(settings).RootElement));
        Assert.Equal(path, Assert.Single(ex.Errors).Path);
    }

    [Fact]
    public void Whatwg_ipv4_parser_reads_every_historical_form()
    {
        string[] forms = ["127.0.0.1", "2130706433", "0x7f000001", "017700000001", "0x7f.1", "127.1", "127.0.1", "0177.0.0.01", "0x7F.0x0.0x0.0x1"];
        foreach (var form in forms)
        {
            Assert.True(UrlHost.TryParse(form, out var host), form);
            Assert.Equal("127.0.0.1", host.Address?.ToString());
        }
    }
}
