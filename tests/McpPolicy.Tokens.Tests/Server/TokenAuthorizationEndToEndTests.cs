using System.Security.Claims;
using McpPolicy.Tokens.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpPolicy.Tokens.Tests.Server;

public sealed class TokenAuthorizationEndToEndTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private sealed class TokenHolder
    {
        public string? Token { get; set; }
    }

    private static void Policy(McpPolicyOptions o)
    {
        var admin = new ToolPolicy("server/admin_*", RiskLevel.Low);
        admin.Scopes.Add("admin");
        o.Tools.Add(admin);
    }

    /// <summary>A stdio-style server: the token comes from a configured source and is validated by McpPolicy.</summary>
    private static Task<InMemoryMcp> StartWithTokenAsync(TokenHolder holder, string? protocolVersion)
        => InMemoryMcp.StartAsync(
            (services, mcp) =>
            {
                services.AddSingleton<TimeProvider>(new ManualClock());
                services.AddMcpPolicy(Policy);
                mcp.WithTools<ScopedTools>().WithTools<ReportTools>().WithTokenAuthorization(o =>
                {
                    o.Validation = Jwt.Options();
                    o.TokenSource = (_, _) => ValueTask.FromResult(holder.Token);
                    o.ResourceMetadata = "https://mcp.example.com/.well-known/oauth-protected-resource";
                });
            },
            protocolVersion);

    /// <summary>A host that authenticates itself and hands over a principal (here through its own message filter).</summary>
    private static Task<InMemoryMcp> StartWithPrincipalAsync(ClaimsPrincipal? principal, string? protocolVersion)
        => InMemoryMcp.StartAsync(
            (services, mcp) =>
            {
                services.AddMcpPolicy(Policy);
                mcp.WithMessageFilters(f => f.AddIncomingFilter(next => (context, ct) =>
                    {
                        context.User = principal;
                        return next(context, ct);
                    }))
                    .WithTools<ScopedTools>()
                    .WithTokenAuthorization(o => o.Resource = Jwt.Resource);
            },
            protocolVersion);

    private static string TokenWith(string scope, string? audience = null)
    {
        var claims = Jwt.Claims(scope);
        if (audience is not null)
        {
            claims["aud"] = audience;
        }

        return Jwt.Create("ES256", claims);
    }

    private static async Task<List<string>> ListAsync(McpClient client)
    {
        using var cts = new CancellationTokenSource(Timeout);
        return [.. (await client.ListToolsAsync(cancellationToken: cts.Token)).Select(t => t.Name).Order(StringComparer.Ordinal)];
    }

    private static async Task<CallToolResult> CallAsync(McpClient client, string tool, Dictionary<string, object?>? arguments = null)
    {
        using var cts = new CancellationTokenSource(Timeout);
        return await client.CallToolAsync(tool, arguments, cancellationToken: cts.Token);
    }

    private static string TextOf(CallToolResult result) => string.Concat(result.Content.OfType<TextContentBlock>().Select(b => b.Text));

    [Theory]
    [MemberData(nameof(InMemoryMcp.ProtocolVersions), MemberType = typeof(InMemoryMcp))]
    public async Task Token_lacking_a_tool_scope_hides_the_tool_and_gets_the_step_up_error_and_one_with_it_succeeds(string? protocolVersion)
    {
        var holder = new TokenHolder { Token = TokenWith("files:read") };
        await using var mcp = await StartWithTokenAsync(holder, protocolVersion);

        Assert.Equal(["read", "whoami"], await ListAsync(mcp.Client));
        Assert.Equal("read:a", TextOf(await CallAsync(mcp.Client, "read", new() { ["path"] = "a" })));
        var denied = await CallAsync(mcp.Client, "write", new() { ["path"] = "a" });
        Assert.True(denied.IsError);
        Assert.StartsWith(Denials.Prefix, TextOf(denied), StringComparison.Ordinal);
        Assert.Contains("files:write", TextOf(denied), StringComparison.Ordinal);
        Assert.Equal(["files:write"], TokenDenials.RequiredScopesOf(denied));
        Assert.True(TokenDenials.TryGetChallenge(denied, out var challenge));
        Assert.Equal("Bearer resource_metadata=\"https://mcp.example.com/.well-known/oauth-protected-resource\", error=\"insufficient_scope\", scope=\"files:write\"", challenge);

        // Step-up: the user authorizes the scope, the client presents the new token, the call succeeds.
        holder.Token = TokenWith("files:read files:write");
        Assert.Equal(["read", "whoami", "write"], await ListAsync(mcp.Client));
        var allowed = await CallAsync(mcp.Client, "write", new() { ["path"] = "a" });
        Assert.NotEqual(true, allowed.IsError);
        Assert.Equal("wrote:a", TextOf(allowed));
    }

    [Theory]
    [MemberData(nameof(InMemoryMcp.ProtocolVersions), MemberType = typeof(InMemoryMcp))]
    public async Task Policy_scopes_and_class_scopes_apply_and_a_method_attribute_replaces_the_class_one(string? protocolVersion)
    {
        var holder = new TokenHolder { Token = TokenWith("reports:publish") };
        await using var mcp = await StartWithTokenAsync(holder, protocolVersion);

        Assert.Equal(["publish_report", "read", "whoami"], await ListAsync(mcp.Client));
        Assert.Equal(["admin"], TokenDenials.RequiredScopesOf(await CallAsync(mcp.Client, "admin_reset")));
        Assert.Equal(["reports:read"], TokenDenials.RequiredScopesOf(await CallAsync(mcp.Client, "report")));
        Assert.Equal("published", TextOf(await CallAsync(mcp.Client, "publish_report")));

        holder.Token = TokenWith("admin reports:read");
        Assert.Equal("reset", TextOf(await CallAsync(mcp.Client, "admin_reset")));
        Assert.Equal("report", TextOf(await CallAsync(mcp.Client, "report")));
    }

    [Fact]
    public async Task Cached_principal_is_dropped_when_its_token_expires()
    {
        await using var mcp = await StartWithTokenAsync(new TokenHolder { Token = TokenWith("files:read") }, null);
        Assert.Equal("read:a", TextOf(await CallAsync(mcp.Client, "read", new() { ["path"] = "a" })));

        ((ManualClock)mcp.Services.GetRequiredService<TimeProvider>()).Advance(TimeSpan.FromSeconds(600 + 61));
        var denied = await CallAsync(mcp.Client, "read", new() { ["path"] = "a" });

        Assert.Contains("'invalid_token'", TextOf(denied), StringComparison.Ordinal);
        Assert.Contains("expired", TextOf(denied), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(InMemoryMcp.ProtocolVersions), MemberType = typeof(InMemoryMcp))]
    public async Task Validated_principal_reaches_the_tool(string? protocolVersion)
    {
        var holder = new TokenHolder { Token = TokenWith("files:read") };
        await using var mcp = await StartWithTokenAsync(holder, protocolVersion);

        Assert.Equal("user-1", TextOf(await CallAsync(mcp.Client, "whoami")));
    }

    [Theory]
    [MemberData(nameof(InMemoryMcp.ProtocolVersions), MemberType = typeof(InMemoryMcp))]
    public async Task Without_a_token_every_tool_is_hidden_and_calls_are_invalid_token(string? protocolVersion)
    {
        await using var mcp = await StartWithTokenAsync(new TokenHolder(), protocolVersion);

        Assert.Empty(await ListAsync(mcp.Client));
        var denied = await CallAsync(mcp.Client, "read", new() { ["path"] = "a" });
        Assert.True(denied.IsError);
        Assert.Contains("'invalid_token'", TextOf(denied), StringComparison.Ordinal);
        Assert.Contains("No access token was presented", TextOf(denied), StringComparison.Ordinal);
        Assert.True(TokenDenials.TryGetChallenge(denied, out var challenge));
        Assert.Contains("error=\"invalid_token\"", challenge, StringComparison.Ordinal);
        Assert.Empty(TokenDenials.RequiredScopesOf(denied));
    }

    [Theory]
    [InlineData("https://other.example.com/mcp", "audience")]
    [InlineData(null, "expired")]
    public async Task Token_for_another_server_or_expired_is_refused_with_the_validation_message(string? audience, string expected)
    {
        var token = audience is null
            ? Jwt.Create("ES256", Jwt.Claims("files:read files:write", now: ManualClock.Start.ToUnixTimeSeconds() - 3600))
            : TokenWith("files:read files:write", audience);
        await using var mcp = await StartWithTokenAsync(new TokenHolder { Token = token }, null);

        Assert.Empty(await ListAsync(mcp.Client));
        var denied = await CallAsync(mcp.Client, "write", new() { ["path"] = "a" });
        Assert.True(denied.IsError);
        Assert.Contains("'invalid_token'", TextOf(denied), StringComparison.Ordinal);
        Assert.Contains(expected, TextOf(denied), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(InMemoryMcp.ProtocolVersions), MemberType = typeof(InMemoryMcp))]
    public async Task Handed_over_principal_gets_the_same_audience_and_scope_checks(string? protocolVersion)
    {
        var identity = new ClaimsIdentity([new Claim("sub", "host-user"), new Claim("aud", Jwt.Resource), new Claim("scp", "files:write")], "HostAuth");
        await using var mcp = await StartWithPrincipalAsync(new ClaimsPrincipal(identity), protocolVersion);

        Assert.Equal(["read", "whoami", "write"], await ListAsync(mcp.Client));
        Assert.Equal("wrote:x", TextOf(await CallAsync(mcp.Client, "write", new() { ["path"] = "x" })));
        Assert.Equal("host-user", TextOf(await CallAsync(mcp.Client, "whoami")));
        Assert.Equal(["admin"], TokenDenials.RequiredScopesOf(await CallAsync(mcp.Client, "admin_reset")));
    }

    [Theory]
    [InlineData("https://other.example.com/mcp")]
    [InlineData(null)]
    public async Task Handed_over_principal_without_this_server_as_audience_is_refused(string? audience)
    {
        var claims = new List<Claim> { new("sub", "host-user"), new("scope", "files:write admin") };
        if (audience is not null)
        {
            claims.Add(new Claim("aud", audience));
        }

        await using var mcp = await StartWithPrincipalAsync(new ClaimsPrincipal(new ClaimsIdentity(claims, "HostAuth")), null);

        Assert.Empty(await ListAsync(mcp.Client));
        var denied = await CallAsync(mcp.Client, "read", new() { ["path"] = "x" });
        Assert.Contains("not issued for this server", TextOf(denied), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unauthenticated_handed_over_identity_grants_nothing()
    {
        var unauthenticated = new ClaimsIdentity([new Claim("aud", Jwt.Resource), new Claim("scope", "files:write admin")]);
        await using var mcp = await StartWithPrincipalAsync(new ClaimsPrincipal(unauthenticated), null);

        Assert.Empty(await ListAsync(mcp.Client));
        Assert.Contains("'invalid_token'", TextOf(await CallAsync(mcp.Client, "write", new() { ["path"] = "x" })), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tool_removed_from_the_list_is_still_denied_on_a_direct_call()
    {
        await using var mcp = await StartWithTokenAsync(new TokenHolder { Token = TokenWith("files:read") }, null);

        Assert.DoesNotContain("admin_reset", await ListAsync(mcp.Client));
        var result = await CallAsync(mcp.Client, "admin_reset");

        Assert.True(result.IsError);
        Assert.NotEqual("reset", TextOf(result));
    }

    [Fact]
    public async Task Anonymous_callers_may_use_unscoped_tools_only_when_authentication_is_optional()
    {
        await using var mcp = await InMemoryMcp.StartAsync(
            (services, server) =>
            {
                services.AddMcpPolicy(Policy);
                server.WithTools<ScopedTools>().WithTokenAuthorization(o =>
                {
                    o.Resource = Jwt.Resource;
                    o.RequireAuthenticatedCaller = false;
                });
            },
            null);

        Assert.Equal(["read", "whoami"], await ListAsync(mcp.Client));
        Assert.Equal("read:a", TextOf(await CallAsync(mcp.Client, "read", new() { ["path"] = "a" })));
        Assert.Contains("'invalid_token'", TextOf(await CallAsync(mcp.Client, "write", new() { ["path"] = "a" })), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Calls_outside_an_mcp_server_pass_the_authorization_step()
    {
        // A host's client-side pipeline shares the filters: the step applies only to calls a server received.
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMcpServer().WithTools<ScopedTools>().WithTokenAuthorization(o => o.Resource = Jwt.Resource);
        await using var provider = services.BuildServiceProvider();
        var pipeline = provider.GetRequiredService<ToolInvocationPipeline>();
        Assert.Contains(pipeline.Filters, f => f.Order == ToolInvocationFilterOrder.Authorize);
        var context = new ToolInvocationContext("server", "write", tool: new ToolDescriptor("write") { Metadata = [new RequireScopeAttribute("files:write")] })
        {
            Invoker = (_, _) => ValueTask.FromResult(new CallToolResult { Content = [new TextContentBlock { Text = "ran" }] }),
        };

        var result = await pipeline.InvokeAsync(context, CancellationToken.None);

        Assert.Equal("ran", TextOf(result));
    }

    [Fact]
    public void Missing_resource_is_a_startup_error()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMcpServer().WithTools<ScopedTools>().WithTokenAuthorization(_ => { });
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<McpServerOptions>>().Value);
        Assert.Contains("TokenAuthorizationOptions.Resource is required", ex.Message, StringComparison.Ordinal);
    }
}
