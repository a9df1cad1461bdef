using System.Security.Claims;

namespace McpPolicy.Tokens.Tests.Audience;

public sealed class TokenAudienceTests
{
    private static readonly ResourceIndicator Server = ResourceIndicator.Parse("https://mcp.example.com/mcp");

    [Fact]
    public void A_token_for_this_resource_is_accepted()
    {
        Assert.True(TokenAudience.Contains(Principal(Aud("https://mcp.example.com/mcp")), Server));
    }

    [Fact]
    public void An_audience_spelled_differently_but_canonically_equal_is_accepted()
    {
        Assert.True(TokenAudience.Contains(Principal(Aud("HTTPS://MCP.example.com:443/mcp/")), Server));
    }

    [Fact]
    public void One_matching_value_among_several_audiences_is_enough()
    {
        var principal = Principal(Aud("https://other.example.com/mcp"), Aud("api://something"), Aud("https://mcp.example.com/mcp"));

        Assert.True(TokenAudience.Contains(principal, Server));
    }

    [Fact]
    public void A_token_for_another_resource_is_refused()
    {
        var principal = Principal(Aud("https://mcp.example.com/mcp-evil"), Aud("https://mcp.example.com"), Aud("https://evil.example/mcp"));

        Assert.False(TokenAudience.Contains(principal, Server));
    }

    [Fact]
    public void A_token_without_an_audience_is_refused()
    {
        Assert.False(TokenAudience.Contains(Principal(new Claim("sub", "alice")), Server));
    }

    [Fact]
    public void Claims_of_other_types_are_not_audiences()
    {
        var principal = Principal(new Claim("resource", Server.Value), new Claim("iss", Server.Value), new Claim("azp", Server.Value));

        Assert.False(TokenAudience.Contains(principal, Server));
    }

    [Fact]
    public void An_audience_array_carried_as_one_json_claim_is_understood()
    {
        var principal = Principal(new Claim("aud", """["https://other.example.com","https://mcp.example.com/mcp"]""", "JSON_ARRAY"));

        Assert.True(TokenAudience.Contains(principal, Server));
    }

    [Theory]
    [InlineData("""["https://other.example.com"]""")]
    [InlineData("""[1, null, {"aud":"https://mcp.example.com/mcp"}]""")]
    [InlineData("""{"aud":"https://mcp.example.com/mcp"}""")]
    [InlineData("""["https://mcp.example.com/mcp" """)]
    [InlineData("not json")]
    public void A_json_audience_claim_without_the_resource_as_a_string_element_is_refused(string json)
    {
        Assert.False(TokenAudience.Contains(Principal(new Claim("aud", json, "JSON_ARRAY")), Server));
    }

    [Fact]
    public void A_json_array_text_in_a_plain_string_claim_is_not_unpacked()
    {
        Assert.False(TokenAudience.Contains(Principal(Aud("""["https://mcp.example.com/mcp"]""")), Server));
    }

    [Fact]
    public void Audiences_of_an_unauthenticated_identity_are_ignored()
    {
        var anonymous = new ClaimsPrincipal(new ClaimsIdentity([Aud(Server.Value)]));

        Assert.False(TokenAudience.Contains(anonymous, Server));
    }

    [Fact]
    public void Any_authenticated_identity_of_the_principal_may_carry_the_audience()
    {
        var principal = new ClaimsPrincipal(new[]
        {
            new ClaimsIdentity([Aud(Server.Value)]),
            new ClaimsIdentity([Aud("https://other.example.com")], "Cookies"),
            new ClaimsIdentity([Aud(Server.Value)], "Bearer"),
        });

        Assert.True(TokenAudience.Contains(principal, Server));
    }

    [Fact]
    public void No_principal_means_no_audience()
    {
        Assert.False(TokenAudience.Contains(null, Server));
        Assert.Throws<ArgumentNullException>(() => TokenAudience.Contains(Principal(Aud(Server.Value)), null!));
    }

    private static Claim Aud(string value) => new(TokenAudience.ClaimType, value);

    private static ClaimsPrincipal Principal(params Claim[] claims) => new(new ClaimsIdentity(claims, "Bearer"));
}
