namespace McpPolicy.Tokens.Tests.Audience;

public sealed class ResourceIndicatorTests
{
    private static readonly ResourceIndicator Server = ResourceIndicator.Parse("https://mcp.example.com/mcp");

    [Theory]
    [InlineData("https://mcp.example.com/mcp", "https://mcp.example.com/mcp")]
    [InlineData("https://mcp.example.com", "https://mcp.example.com")]
    [InlineData("https://mcp.example.com/server/mcp", "https://mcp.example.com/server/mcp")]
    [InlineData("HTTPS://MCP.Example.COM/mcp", "https://mcp.example.com/mcp")]
    [InlineData("https://mcp.example.com/MCP", "https://mcp.example.com/MCP")]
    [InlineData("https://mcp.example.com/", "https://mcp.example.com")]
    [InlineData("https://mcp.example.com/mcp/", "https://mcp.example.com/mcp")]
    [InlineData("https://mcp.example.com:443/mcp", "https://mcp.example.com/mcp")]
    [InlineData("https://mcp.example.com:0443/mcp", "https://mcp.example.com/mcp")]
    [InlineData("https://mcp.example.com:/mcp", "https://mcp.example.com/mcp")]
    [InlineData("https://mcp.example.com:8443", "https://mcp.example.com:8443")]
    [InlineData("https://mcp.example.com:80/mcp", "https://mcp.example.com:80/mcp")]
    [InlineData("http://localhost:3000/mcp", "http://localhost:3000/mcp")]
    [InlineData("http://LOCALHOST:80/", "http://localhost")]
    [InlineData("http://127.0.0.1:8080/mcp", "http://127.0.0.1:8080/mcp")]
    [InlineData("http://127.10.20.30/mcp", "http://127.10.20.30/mcp")]
    [InlineData("http://[::1]:8080/mcp", "http://[::1]:8080/mcp")]
    [InlineData("http://localhost:443", "http://localhost:443")]
    [InlineData("https://10.0.0.1/mcp", "https://10.0.0.1/mcp")]
    [InlineData("https://[2001:DB8::1]/mcp", "https://[2001:db8::1]/mcp")]
    [InlineData("https://[2001:db8:0:0:0:0:0:1]:443", "https://[2001:db8::1]")]
    [InlineData("https://bücher.example/mcp", "https://xn--bcher-kva.example/mcp")]
    [InlineData("https://BÜCHER.example/mcp", "https://xn--bcher-kva.example/mcp")]
    [InlineData("https://XN--BCHER-KVA.example/mcp", "https://xn--bcher-kva.example/mcp")]
    [InlineData("https://mcp.example.com/%7Euser/%6dcp", "https://mcp.example.com/~user/mcp")]
    [InlineData("https://mcp.example.com/a%2fb", "https://mcp.example.com/a%2Fb")]
    [InlineData("https://mcp.example.com/caf%c3%a9", "https://mcp.example.com/caf%C3%A9")]
    [InlineData("https://mcp.example.com/v1;x=1/tools:call/a+b", "https://mcp.example.com/v1;x=1/tools:call/a+b")]
    [InlineData("https://mcp-1.example.com/mcp", "https://mcp-1.example.com/mcp")]
    [InlineData("https://mcp.example.0xdev/mcp", "https://mcp.example.0xdev/mcp")]
    [InlineData("https://0x7f.example.com/mcp", "https://0x7f.example.com/mcp")]
    [InlineData("https://1.2.3.example/mcp", "https://1.2.3.example/mcp")]
    public void Acceptable_uris_canonicalize(string input, string canonical)
    {
        Assert.True(ResourceIndicator.TryParse(input, out var resource));
        Assert.Equal(canonical, resource.Value);
        Assert.Equal(canonical, resource.ToString());
        Assert.Equal(canonical, ResourceIndicator.Parse(canonical).Value);
    }

    [Theory]
    // Empty, whitespace and invisible characters.
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(" https://mcp.example.com/mcp")]
    [InlineData("https://mcp.example.com/mcp ")]
    [InlineData("https://mcp.example.com/mcp\n")]
    [InlineData("https://mcp.example.com/m\tcp")]
    [InlineData("https://mcp.example.com/m cp")]
    [InlineData("https://mcp.example.com\u00A0/mcp")]
    [InlineData("https://mcp.example.com/mcp\u200B")]
    [InlineData("https://mcp.example.com/mcp\u0000")]
    [InlineData("\uFEFFhttps://mcp.example.com/mcp")]
    // Not absolute, or no authority.
    [InlineData("mcp.example.com")]
    [InlineData("mcp.example.com/mcp")]
    [InlineData("mcp.example.com:443")]
    [InlineData("/mcp")]
    [InlineData("//mcp.example.com/mcp")]
    [InlineData("https:mcp.example.com")]
    [InlineData("https:/mcp.example.com")]
    [InlineData("https:///mcp")]
    [InlineData("https://")]
    [InlineData(":https://mcp.example.com")]
    // Fragments and queries.
    [InlineData("https://mcp.example.com/mcp#fragment")]
    [InlineData("https://mcp.example.com#")]
    [InlineData("https://mcp.example.com/mcp?x=1")]
    [InlineData("https://mcp.example.com/mcp?")]
    // User information and '@' confusion.
    [InlineData("https://user@mcp.example.com/mcp")]
    [InlineData("https://user:pass@mcp.example.com")]
    [InlineData("https://mcp.example.com@evil.example/mcp")]
    [InlineData("https://evil.example\\@mcp.example.com/mcp")]
    [InlineData("https://mcp.example.com/@evil.example")]
    // Schemes.
    [InlineData("http://mcp.example.com/mcp")]
    [InlineData("http://localhost.evil.example/mcp")]
    [InlineData("http://127.0.0.1.nip.io/mcp")]
    [InlineData("http://10.0.0.1/mcp")]
    [InlineData("ftp://mcp.example.com/mcp")]
    [InlineData("wss://mcp.example.com/mcp")]
    [InlineData("file:///etc/passwd")]
    [InlineData("javascript:alert(1)")]
    [InlineData("urn:example:mcp")]
    [InlineData("https+evil://mcp.example.com")]
    // Ports.
    [InlineData("https://mcp.example.com:0/mcp")]
    [InlineData("https://mcp.example.com:65536/mcp")]
    [InlineData("https://mcp.example.com:-1/mcp")]
    [InlineData("https://mcp.example.com:abc/mcp")]
    [InlineData("https://mcp.example.com:443:80/mcp")]
    [InlineData("https://mcp.example.com:000443/mcp")]
    // Paths that parsers resolve differently.
    [InlineData("https://mcp.example.com/mcp/../admin")]
    [InlineData("https://mcp.example.com/./mcp")]
    [InlineData("https://mcp.example.com/%2e%2e/admin")]
    [InlineData("https://mcp.example.com/%2E/mcp")]
    [InlineData("https://mcp.example.com/mcp/..")]
    [InlineData("https://mcp.example.com//mcp")]
    [InlineData("https://mcp.example.com/mcp//")]
    [InlineData("https://mcp.example.com/a//b")]
    [InlineData("https://mcp.example.com\\mcp")]
    [InlineData("https://mcp.example.com/a%zz")]
    [InlineData("https://mcp.example.com/a%4")]
    [InlineData("https://mcp.example.com/a%")]
    [InlineData("https://mcp.example.com/ü")]
    [InlineData("https://mcp.example.com/<script>")]
    [InlineData("https://mcp.example.com/a\"b")]
    [InlineData("https://mcp.example.com/[x]")]
    // Hosts.
    [InlineData("https://mcp%2eexample.com/mcp")]
    [InlineData("https://%6dcp.example.com/mcp")]
    [InlineData("https://mcp.example.com./mcp")]
    [InlineData("https://.mcp.example.com/mcp")]
    [InlineData("https://mcp..example.com/mcp")]
    [InlineData("https://mcp_server.example.com/mcp")]
    [InlineData("https://-mcp.example.com/mcp")]
    [InlineData("https://mcp.example.com!/mcp")]
    [InlineData("https://xn--zz.example/mcp")]
    [InlineData("https://0x7f.0.0.1/mcp")]
    [InlineData("https://2130706433/mcp")]
    [InlineData("https://0177.0.0.1/mcp")]
    [InlineData("https://127.1/mcp")]
    [InlineData("https://1.2.3.256/mcp")]
    [InlineData("https://1.2.3.4.5/mcp")]
    [InlineData("https://example.0x10/mcp")]
    [InlineData("https://example.0x/mcp")]
    [InlineData("https://example.123/mcp")]
    [InlineData("https://[fe80::1%25eth0]/mcp")]
    [InlineData("https://[::1/mcp")]
    [InlineData("https://[::1]x/mcp")]
    [InlineData("https://[127.0.0.1]/mcp")]
    [InlineData("https://[v1.fe80::a]/mcp")]
    [InlineData("https://::1/mcp")]
    public void Unacceptable_uris_are_rejected(string input)
    {
        Assert.False(ResourceIndicator.TryParse(input, out var resource));
        Assert.Null(resource);
        var ex = Assert.Throws<FormatException>(() => ResourceIndicator.Parse(input));
        Assert.Contains("is not a valid resource URI", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_overlong_uri_is_rejected()
    {
        Assert.False(ResourceIndicator.TryParse("https://mcp.example.com/" + new string('a', 2048), out _));
    }

    [Fact]
    public void Null_is_not_a_resource()
    {
        Assert.False(ResourceIndicator.TryParse(null, out _));
        Assert.Throws<ArgumentNullException>(() => ResourceIndicator.Parse(null!));
    }

    [Theory]
    [InlineData("https://mcp.example.com/mcp")]
    [InlineData("HTTPS://MCP.EXAMPLE.COM/mcp")]
    [InlineData("https://mcp.example.com:443/mcp")]
    [InlineData("https://mcp.example.com/mcp/")]
    [InlineData("https://mcp.example.com/%6Dcp")]
    public void Audiences_naming_the_same_resource_match(string audience)
    {
        Assert.True(Server.Matches(audience));
    }

    [Theory]
    // Path prefix and suffix tricks: matching is exact, never by prefix.
    [InlineData("https://mcp.example.com/mcp-evil")]
    [InlineData("https://mcp.example.com/mcp/evil")]
    [InlineData("https://mcp.example.com/mcpx")]
    [InlineData("https://mcp.example.com/mc")]
    [InlineData("https://mcp.example.com")]
    [InlineData("https://mcp.example.com/")]
    [InlineData("https://mcp.example.com/MCP")]
    [InlineData("https://mcp.example.com/mcp%2F")]
    [InlineData("https://mcp.example.com/mcp%20")]
    [InlineData("https://mcp.example.com//mcp")]
    [InlineData("https://mcp.example.com/x/../mcp")]
    [InlineData("https://mcp.example.com/mcp/.")]
    // Other origins.
    [InlineData("http://mcp.example.com/mcp")]
    [InlineData("https://mcp.example.com:8443/mcp")]
    [InlineData("https://mcp.example.com:80/mcp")]
    [InlineData("https://mcp.example.com.evil.example/mcp")]
    [InlineData("https://evil.example/mcp")]
    [InlineData("https://evil-mcp.example.com/mcp")]
    [InlineData("https://mcp.exаmple.com/mcp")]
    [InlineData("https://mcp.example.co/mcp")]
    [InlineData("https://user@mcp.example.com/mcp")]
    [InlineData("https://mcp.example.com@mcp.example.com/mcp")]
    // Decorations and malformed values.
    [InlineData("https://mcp.example.com/mcp#x")]
    [InlineData("https://mcp.example.com/mcp?x=1")]
    [InlineData(" https://mcp.example.com/mcp")]
    [InlineData("https://mcp.example.com/mcp ")]
    [InlineData("mcp.example.com/mcp")]
    [InlineData("/mcp")]
    [InlineData("*")]
    [InlineData("https://*.example.com/mcp")]
    [InlineData("")]
    [InlineData(null)]
    public void Audiences_naming_anything_else_do_not_match(string? audience)
    {
        Assert.False(Server.Matches(audience));
    }

    [Fact]
    public void An_internationalized_host_matches_its_punycode_form_both_ways()
    {
        var unicode = ResourceIndicator.Parse("https://bücher.example/mcp");
        var ascii = ResourceIndicator.Parse("https://xn--bcher-kva.example/mcp");

        Assert.True(unicode.Matches("https://xn--bcher-kva.example/mcp"));
        Assert.True(ascii.Matches("https://BÜCHER.example/mcp"));
        Assert.Equal(unicode, ascii);
    }

    [Fact]
    public void A_homograph_host_does_not_match_the_latin_host()
    {
        var cyrillic = ResourceIndicator.Parse("https://mcp.exаmple.com/mcp");

        Assert.StartsWith("https://mcp.xn--", cyrillic.Value, StringComparison.Ordinal);
        Assert.NotEqual(Server, cyrillic);
        Assert.False(cyrillic.Matches(Server.Value));
    }

    [Fact]
    public void Equal_resources_are_equal_and_hash_alike()
    {
        var a = ResourceIndicator.Parse("HTTPS://Mcp.Example.com:443/");
        var b = ResourceIndicator.Parse("https://mcp.example.com");

        Assert.Equal(a, b);
        Assert.True(a.Equals((object)b));
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, ResourceIndicator.Parse("https://mcp.example.com/mcp"));
        Assert.False(a.Equals(null));
    }

    [Fact]
    public void The_parse_error_says_what_is_wrong()
    {
        var ex = Assert.Throws<FormatException>(() => ResourceIndicator.Parse("https://mcp.example.com/mcp#section"));

        Assert.Contains("fragment", ex.Message, StringComparison.Ordinal);
    }
}
