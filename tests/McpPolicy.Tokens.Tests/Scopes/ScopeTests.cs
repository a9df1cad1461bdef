using System.Security.Claims;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace McpPolicy.Tokens.Tests.Scopes;

public sealed class RequireScopeAttributeTests
{
    [Theory]
    [InlineData("files:write")]
    [InlineData("https://api.example.com/files.write")]
    [InlineData("a!#$%&'()*+,-./:;<=>?@[]^_`{|}~")]
    public void Scope_token_is_accepted(string scope)
    {
        Assert.Equal([scope], new RequireScopeAttribute(scope).Scopes);
    }

    [Theory]
    [InlineData("")]
    [InlineData("files:read files:write")]
    [InlineData("quote\"d")]
    [InlineData("back\\slash")]
    [InlineData("tab\t")]
    [InlineData("ümlaut")]
    public void Invalid_scope_is_refused_with_a_message_naming_it(string scope)
    {
        var ex = Assert.Throws<ArgumentException>(() => new RequireScopeAttribute("ok", scope));

        Assert.Contains($"'{scope}'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void No_scope_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new RequireScopeAttribute());
    }

    [Fact]
    public void Attribute_is_a_tool_policy_attribute_so_the_method_one_wins()
    {
        object[] metadata = [new RequireScopeAttribute("class:scope"), new RequireScopeAttribute("method:scope")];

        Assert.Equal(["method:scope"], ToolPolicyMetadata.FindLast<RequireScopeAttribute>(metadata)!.Scopes);
    }
}

public sealed class TokenScopesTests
{
    [Fact]
    public void Scopes_are_read_from_scope_scp_and_the_mapped_claim()
    {
        var identity = new ClaimsIdentity(
            [
                new Claim("scope", "a  b"),
                new Claim("scp", "c"),
                new Claim("scp", "[\"d\",\"e f\"]", "JSON_ARRAY"),
                new Claim(TokenClaimTypes.MappedScope, "g"),
                new Claim("other", "h"),
            ],
            "Test");

        Assert.Equal(["a", "b", "c", "d", "e", "f", "g"], TokenScopes.Of(new ClaimsPrincipal(identity)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Unauthenticated_identity_and_no_principal_grant_nothing()
    {
        var principal = new ClaimsPrincipal(new ClaimsIdentity([new Claim("scope", "admin")]));

        Assert.Empty(TokenScopes.Of(principal));
        Assert.Empty(TokenScopes.Of(null));
    }

    [Fact]
    public void Json_claim_that_is_not_a_list_grants_nothing()
    {
        var principal = new ClaimsPrincipal(new ClaimsIdentity([new Claim("scp", "{\"admin\":true}", "JSON"), new Claim("scp", "[broken", "JSON_ARRAY")], "Test"));

        Assert.Empty(TokenScopes.Of(principal));
    }
}

public sealed class BearerChallengeTests
{
    [Fact]
    public void Insufficient_scope_challenge_follows_rfc_6750()
    {
        Assert.Equal("Bearer error=\"insufficient_scope\", scope=\"files:read files:write\"", BearerChallenge.InsufficientScope(["files:read", "files:write"]));
        Assert.Equal(
            "Bearer resource_metadata=\"https://mcp.example.com/.well-known/oauth-protected-resource\", error=\"insufficient_scope\", scope=\"a\", error_description=\"needs a\"",
            BearerChallenge.InsufficientScope(["a"], "https://mcp.example.com/.well-known/oauth-protected-resource", "needs a"));
    }

    [Fact]
    public void Invalid_token_and_unauthenticated_challenges()
    {
        Assert.Equal("Bearer error=\"invalid_token\", error_description=\"expired\"", BearerChallenge.InvalidToken("expired"));
        Assert.Equal("Bearer", BearerChallenge.Unauthenticated());
        Assert.Equal("Bearer resource_metadata=\"https://x.example/m\"", BearerChallenge.Unauthenticated("https://x.example/m"));
    }

    [Fact]
    public void Values_cannot_break_out_of_their_quoted_string()
    {
        var challenge = BearerChallenge.InvalidToken("a \"quoted\" \\ value\r\nX-Injected: 1");

        Assert.Equal("Bearer error=\"invalid_token\", error_description=\"a 'quoted' ' value''X-Injected: 1\"", challenge);
        Assert.Throws<ArgumentException>(() => BearerChallenge.InsufficientScope(["a\" b"]));
    }
}

public sealed class PolicyScopesTests
{
    private static McpPolicyOptions Load(string json)
    {
        var path = Path.Combine(Path.GetTempPath(), "mcppolicy-scopes-" + Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, json);
        try
        {
            var services = new ServiceCollection();
            services.AddMcpPolicy(path);
            using var provider = services.BuildServiceProvider();
            return provider.GetRequiredService<IOptions<McpPolicyOptions>>().Value;
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Scopes_of_a_tools_entry_are_read_from_a_policy_file()
    {
        var options = Load("""{ "tools": [ { "match": "fs/write_*", "risk": "Medium", "Scopes": ["files:write", "files:read"] }, { "match": "fs/read_*", "risk": "Low" } ] }""");

        Assert.Equal(["files:write", "files:read"], options.Tools[0].Scopes);
        Assert.Empty(options.Tools[1].Scopes);
    }

    [Theory]
    [InlineData("\"files:write\"", "expected an array of scope strings")]
    [InlineData("[\"files:read files:write\"]", "is not an OAuth scope token")]
    [InlineData("[\"\"]", "expected a non-empty scope string")]
    [InlineData("[1]", "expected a non-empty scope string")]
    [InlineData("[\"a\\\\b\"]", "is not an OAuth scope token")]
    public void Invalid_scopes_are_policy_errors_naming_the_path(string scopes, string message)
    {
        var ex = Assert.ThrowsAny<Exception>(() => Load($$"""{ "tools": [ { "match": "fs/write_*", "risk": "Medium", "scopes": {{scopes}} } ] }"""));

        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
        Assert.Contains("tools[0].scopes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Scopes_are_read_from_configuration()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["McpPolicy:tools:0:match"] = "fs/write_*",
                ["McpPolicy:tools:0:risk"] = "High",
                ["McpPolicy:tools:0:scopes:0"] = "files:write",
                ["McpPolicy:tools:0:scopes:1"] = "audit",
            })
            .Build();
        var services = new ServiceCollection();
        services.AddMcpPolicy(configuration.GetSection("McpPolicy"));
        using var provider = services.BuildServiceProvider();

        Assert.Equal(["files:write", "audit"], provider.GetRequiredService<IOptions<McpPolicyOptions>>().Value.Tools[0].Scopes);
    }
}
