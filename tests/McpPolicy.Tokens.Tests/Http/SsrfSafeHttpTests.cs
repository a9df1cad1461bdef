using System.Net;
using McpPolicy.Tokens.Tests.TestSupport;

namespace McpPolicy.Tokens.Tests.Http;

public sealed class SsrfSafeHttpTests
{
    private static SsrfGuardOptions Options(bool https = false, params string[] allowed)
    {
        var options = new SsrfGuardOptions { HttpsOnly = https };
        foreach (var network in allowed)
        {
            options.AllowedNetworks.Add(IPNetwork.Parse(network));
        }

        return options;
    }

    private static LoopbackHttpServer Ok(string address = "127.0.0.1") => new(_ => LoopbackResponse.Json("{\"ok\":true}"), address);

    public static TheoryData<string, string> RefusedAddresses => new()
    {
        { "127.0.0.1", "loopback" },
        { "127.255.255.254", "loopback" },
        { "10.1.2.3", "private" },
        { "172.16.0.1", "private" },
        { "172.31.255.255", "private" },
        { "192.168.1.1", "private" },
        { "169.254.169.254", "link-local" },
        { "100.64.0.1", "carrier-grade NAT" },
        { "0.0.0.0", "unspecified" },
        { "224.0.0.1", "multicast" },
        { "255.255.255.255", "reserved or broadcast" },
        { "198.18.0.1", "benchmarking" },
        { "::1", "loopback" },
        { "::", "unspecified" },
        { "::ffff:127.0.0.1", "IPv4-mapped" },
        { "::ffff:8.8.8.8", "IPv4-mapped" },
        { "::127.0.0.1", "IPv4-compatible" },
        { "64:ff9b::a9fe:a9fe", "NAT64" },
        { "2002:a9fe:a9fe::1", "6to4" },
        { "fd00::1", "unique-local" },
        { "fc12::1", "unique-local" },
        { "fe80::1", "link-local" },
        { "ff02::1", "multicast" },
        { "2001:db8::1", "documentation" },
    };

    [Theory]
    [MemberData(nameof(RefusedAddresses))]
    public void Special_purpose_address_is_refused_and_named(string address, string category)
    {
        Assert.False(SsrfSafeHttp.IsAllowed(IPAddress.Parse(address), new SsrfGuardOptions(), out var reason));
        Assert.Contains(category, reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("1.1.1.1")]
    [InlineData("172.32.0.1")]
    [InlineData("100.128.0.1")]
    [InlineData("2606:4700:4700::1111")]
    public void Public_address_is_allowed(string address)
    {
        Assert.True(SsrfSafeHttp.IsAllowed(IPAddress.Parse(address), new SsrfGuardOptions(), out var reason));
        Assert.Null(reason);
    }

    [Fact]
    public void Allowlisted_network_is_allowed_including_its_ipv4_mapped_form()
    {
        var options = Options(allowed: "10.20.0.0/16");

        Assert.True(SsrfSafeHttp.IsAllowed(IPAddress.Parse("10.20.1.1"), options, out _));
        Assert.True(SsrfSafeHttp.IsAllowed(IPAddress.Parse("::ffff:10.20.1.1"), options, out _));
        Assert.False(SsrfSafeHttp.IsAllowed(IPAddress.Parse("10.21.1.1"), options, out _));
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.2")]
    public async Task Loopback_server_reached_by_ip_is_refused_before_connecting(string address)
    {
        await using var server = Ok(address);
        using var client = SsrfSafeHttp.CreateClient(Options());

        var ex = await Assert.ThrowsAsync<BlockedDestinationException>(() => client.GetAsync(server.Url("/secret")));

        Assert.Contains("loopback", ex.Message, StringComparison.Ordinal);
        Assert.Contains("AllowedNetworks", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, server.Connections);
    }

    [Fact]
    public async Task Loopback_server_reached_through_a_hostname_is_refused()
    {
        await using var server = Ok("127.0.0.2");
        var options = Options();
        options.Resolver = (host, _) => ValueTask.FromResult(host == "internal.example" ? new[] { server.Address } : []);
        using var client = SsrfSafeHttp.CreateClient(options);

        var ex = await Assert.ThrowsAsync<BlockedDestinationException>(() => client.GetAsync(new Uri($"http://internal.example:{server.Port}/")));

        Assert.Contains("internal.example", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, server.Connections);
    }

    [Fact]
    public async Task Hostname_with_any_internal_answer_is_refused_even_if_another_answer_is_allowed()
    {
        await using var server = Ok("127.0.0.1");
        var options = Options(allowed: "127.0.0.1/32");
        options.Resolver = (_, _) => ValueTask.FromResult(new[] { server.Address, IPAddress.Parse("169.254.169.254") });
        using var client = SsrfSafeHttp.CreateClient(options);

        await Assert.ThrowsAsync<BlockedDestinationException>(() => client.GetAsync(new Uri($"http://mixed.example:{server.Port}/")));
        Assert.Equal(0, server.Connections);
    }

    [Fact]
    public async Task Allowlisted_loopback_server_is_reached()
    {
        await using var server = Ok();
        using var client = SsrfSafeHttp.CreateClient(Options(allowed: "127.0.0.0/8"));

        using var response = await client.GetAsync(server.Url("/ok"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{\"ok\":true}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Connection_goes_to_the_checked_address_so_a_second_dns_answer_cannot_rebind_it()
    {
        await using var allowed = Ok("127.0.0.1");
        await using var rebound = Ok("127.0.0.2");
        var calls = 0;
        var options = Options(allowed: "127.0.0.1/32");

        // The first answer passes the check; any later lookup would answer the internal address.
        options.Resolver = (_, _) => ValueTask.FromResult(Interlocked.Increment(ref calls) == 1 ? new[] { allowed.Address } : new[] { rebound.Address });
        using var client = SsrfSafeHttp.CreateClient(options);

        using var response = await client.GetAsync(new Uri($"http://rebind.example:{allowed.Port}/"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, calls);
        Assert.Equal(1, allowed.Connections);
        Assert.Equal(0, rebound.Connections);
    }

    [Fact]
    public async Task Redirect_to_a_refused_address_is_refused_and_the_target_never_reached()
    {
        await using var target = Ok("127.0.0.2");
        await using var redirector = new LoopbackHttpServer(_ => LoopbackResponse.Redirect(target.Url("/internal")));
        using var client = SsrfSafeHttp.CreateClient(Options(allowed: "127.0.0.1/32"));

        var ex = await Assert.ThrowsAsync<BlockedDestinationException>(() => client.GetAsync(redirector.Url("/start")));

        Assert.Contains("127.0.0.2", ex.Message, StringComparison.Ordinal);
        Assert.Single(redirector.Requests);
        Assert.Equal(0, target.Connections);
    }

    [Fact]
    public async Task Redirect_to_the_cloud_metadata_address_is_refused()
    {
        await using var redirector = new LoopbackHttpServer(_ => LoopbackResponse.Redirect(new Uri("http://169.254.169.254/latest/meta-data/"), 307));
        using var client = SsrfSafeHttp.CreateClient(Options(allowed: "127.0.0.1/32"));

        var ex = await Assert.ThrowsAsync<BlockedDestinationException>(() => client.GetAsync(redirector.Url("/")));

        Assert.Contains("link-local", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Allowed_redirect_is_followed_and_credentials_are_dropped_when_the_origin_changes()
    {
        await using var target = Ok("127.0.0.2");
        await using var redirector = new LoopbackHttpServer(_ => LoopbackResponse.Redirect(target.Url("/landing"), 303));
        using var client = SsrfSafeHttp.CreateClient(Options(allowed: "127.0.0.0/8"));
        using var request = new HttpRequestMessage(HttpMethod.Post, redirector.Url("/form")) { Content = new StringContent("x") };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "secret");
        request.Headers.Add("X-Trace", "t1");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(target.Requests.TryDequeue(out var landed));
        Assert.Equal("GET", landed!.Method);
        Assert.Equal("/landing", landed.Path);
        Assert.False(landed.Headers.ContainsKey("Authorization"));
        Assert.Equal("t1", landed.Headers["X-Trace"]);
    }

    [Fact]
    public async Task Redirect_307_keeps_method_and_body()
    {
        await using var target = Ok("127.0.0.1");
        await using var redirector = new LoopbackHttpServer(_ => LoopbackResponse.Redirect(target.Url("/again"), 307), "127.0.0.1");
        using var client = SsrfSafeHttp.CreateClient(Options(allowed: "127.0.0.1/32"));

        using var response = await client.PostAsync(redirector.Url("/"), new StringContent("payload"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(target.Requests.TryDequeue(out var landed));
        Assert.Equal("POST", landed!.Method);
        Assert.Equal("payload", landed.Body);
    }

    [Fact]
    public async Task Redirect_loop_stops_at_the_limit()
    {
        LoopbackHttpServer? self = null;
        await using var server = self = new LoopbackHttpServer(_ => LoopbackResponse.Redirect(self!.Url("/loop")));
        var options = Options(allowed: "127.0.0.1/32");
        options.MaxRedirects = 3;
        using var client = SsrfSafeHttp.CreateClient(options);

        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(server.Url("/loop")));

        Assert.Contains("3 redirects", ex.Message, StringComparison.Ordinal);
        Assert.Equal(4, server.Requests.Count);
    }

    [Fact]
    public async Task Https_only_refuses_plain_http_before_connecting_even_when_allowlisted()
    {
        await using var server = Ok();
        using var client = SsrfSafeHttp.CreateClient(Options(https: true, allowed: "127.0.0.0/8"));

        var ex = await Assert.ThrowsAsync<BlockedDestinationException>(() => client.GetAsync(server.Url("/")));

        Assert.Contains("https", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, server.Connections);
    }

    [Fact]
    public async Task Https_only_refuses_a_redirect_to_plain_http()
    {
        using var client = SsrfSafeHttp.CreateClient(new SsrfGuardOptions());

        // The first hop is refused too (it is http), which shows the scheme check runs on every request the handler sends.
        await Assert.ThrowsAsync<BlockedDestinationException>(() => client.GetAsync(new Uri("http://example.com/")));
        await Assert.ThrowsAsync<BlockedDestinationException>(() => client.GetAsync(new Uri("ftp://example.com/")));
    }

    [Fact]
    public async Task Http3_request_is_kept_on_tcp_so_the_address_check_still_applies()
    {
        await using var server = Ok();
        using var client = SsrfSafeHttp.CreateClient(Options());
        using var request = new HttpRequestMessage(HttpMethod.Get, server.Url("/")) { Version = HttpVersion.Version30, VersionPolicy = HttpVersionPolicy.RequestVersionExact };

        await Assert.ThrowsAsync<BlockedDestinationException>(() => client.SendAsync(request));
        Assert.Equal(HttpVersion.Version20, request.Version);
        Assert.Equal(0, server.Connections);
    }

    [Fact]
    public async Task Numeric_host_spellings_of_loopback_are_refused()
    {
        await using var server = Ok();
        using var client = SsrfSafeHttp.CreateClient(Options());

        foreach (var host in new[] { "2130706433", "0x7f000001", "127.1", "[::ffff:127.0.0.1]" })
        {
            await Assert.ThrowsAsync<BlockedDestinationException>(() => client.GetAsync(new Uri($"http://{host}:{server.Port}/")));
        }

        Assert.Equal(0, server.Connections);
    }
}
